// Svix-style exports of message attempts ({"data": [...]}, an array, or one
// attempt per line): each attempt's message payload, at the attempt's time,
// with the message id as the delivery's id.
#include "import/json_input.hpp"
#include "import/readers.hpp"
#include "import/time_text.hpp"

namespace callhook::import {
namespace {

// One attempt (or a bare message): {"timestamp", "url", "msgId", "msg": {"payload", "eventType", "id"}}.
Captured read_attempt(const std::string& where, const util::Cursor& at, const util::OrderedJson& ordered) {
  Captured c;
  c.where = where;
  if (!at.is_object()) return c;
  const bool nested = at["msg"].exists();
  const util::Cursor msg = nested ? at["msg"] : at;
  const util::OrderedJson* msg_ordered = nested ? &ordered.at("msg") : &ordered;
  at["timestamp"].require();
  msg["payload"].require();
  if (at["timestamp"].exists()) {
    if (const auto ms = parse_time_value(*at["timestamp"].node()))
      c.time_ms = *ms;
    else
      at["timestamp"].fail_expected("an ISO 8601 time");
  }
  if (msg.is_object() && msg["payload"].exists()) c.body = body_text(msg_ordered->at("payload"));
  if (const auto url = at["url"].string(false)) c.path = path_of_url(at["url"], *url);
  c.event = msg.is_object() ? msg["eventType"].string_or("") : "";
  std::string id = at["msgId"].string_or("");
  if (id.empty() && msg.is_object()) id = msg["id"].string_or("");
  c.headers.push_back({"Content-Type", "application/json"});
  if (!id.empty()) c.headers.push_back({"svix-id", id});
  return c;
}

}  // namespace

std::vector<Captured> read_svix(const std::string& path, std::string_view text) {
  std::vector<Captured> out;
  std::vector<std::pair<std::string, std::string_view>> documents;  // where, text
  for (const Line& line : lines_of(text)) documents.emplace_back(path + ":" + std::to_string(line.number), line.text);
  // One document ({"data": [...]} or an array, over any number of lines)
  // unless its first line is a whole JSON value of its own: JSON lines.
  if (documents.size() > 1 && !util::parse_json(documents.front().second, k_capture_json).ok()) {
    documents.clear();
    documents.emplace_back(path, text);
  }
  for (const auto& [where, doc_text] : documents) {
    const util::Json doc = parse_document(where, doc_text, documents.size() > 1);
    const util::OrderedJson ordered = parse_ordered_document(where, doc_text, documents.size() > 1);
    util::Problems problems;
    const util::Cursor root(&doc, "", problems);
    const bool listing = doc.is_object() && doc.contains("data");
    if (doc.is_array() || listing) {
      const util::Cursor items = listing ? root["data"] : root;
      const util::OrderedJson& ordered_items = listing ? ordered.at("data") : ordered;
      if (items.is_array())
        for (std::size_t i = 0; i < items.size() && problems.empty(); ++i) {
          Captured c = read_attempt(where + ": " + items.at(i).pointer(), items.at(i), ordered_items.at(i));
          if (problems.empty()) out.push_back(std::move(c));
        }
    } else {
      Captured c = read_attempt(where, root, ordered);
      if (problems.empty()) out.push_back(std::move(c));
    }
    throw_first(where, problems);
  }
  return out;
}

}  // namespace callhook::import
