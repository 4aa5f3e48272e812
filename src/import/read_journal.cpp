// callhook's own journals: each attempt that reached the receiver, at its
// virtual due time, so a run becomes an editable script.
#include "import/readers.hpp"
#include "journal/reader.hpp"
#include "util/url.hpp"

namespace callhook::import {

std::vector<Captured> read_journal(const std::string& path) {
  std::vector<Captured> out;
  try {
    journal::JournalReader reader(path);
    while (auto entry = reader.next()) {
      const auto* attempt = std::get_if<journal::AttemptEntry>(&*entry);
      // A refused connection or a failed TLS handshake sent nothing.
      if (!attempt || attempt->error == "connect" || attempt->error == "tls") continue;
      Captured c;
      c.where = path + ":" + std::to_string(reader.line());
      c.time_ms = attempt->due_ms;
      c.method = attempt->method;
      const auto url = util::parse_url(attempt->url);
      if (!url) throw ImportError(c.where + ": /url: expected an absolute http(s) URL, got \"" + attempt->url + "\"");
      c.path = url->target;
      c.headers = attempt->headers;
      c.body = attempt->body;
      c.call = attempt->call;
      c.event = attempt->event;
      out.push_back(std::move(c));
    }
  } catch (const journal::JournalError& e) {
    throw ImportError(e.what());
  }
  return out;
}

}  // namespace callhook::import
