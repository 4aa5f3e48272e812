#include "import/json_input.hpp"

#include <fstream>
#include <iterator>
#include <optional>

#include "import/captured.hpp"
#include "util/url.hpp"

namespace callhook::import {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ImportError(path + ": cannot read the file");
  std::string text(std::istreambuf_iterator<char>(in), {});
  if (in.bad()) throw ImportError(path + ": cannot read the file");
  if (const auto failure = util::size_failure(text.size(), k_capture_json))
    throw ImportError(path + ": " + failure->message());
  return text;
}

std::vector<Line> lines_of(std::string_view text) {
  std::vector<Line> out;
  std::size_t start = 0;
  std::size_t number = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++number;
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") != std::string_view::npos) out.push_back({number, line});
    start = end + 1;
  }
  return out;
}

namespace {

template <class J>
J checked(const std::string& where, util::ParsedJson<J> parsed, bool one_line) {
  if (!parsed.ok()) {
    const std::string pointer = parsed.failure->pointer.empty() ? "" : parsed.failure->pointer + ": ";
    throw ImportError(where + ": " + pointer + parsed.failure->message(one_line));
  }
  return std::move(parsed.value);
}

}  // namespace

util::Json parse_document(const std::string& where, std::string_view text, bool one_line) {
  return checked(where, util::parse_json(text, k_capture_json), one_line);
}

util::OrderedJson parse_ordered_document(const std::string& where, std::string_view text, bool one_line) {
  return checked(where, util::parse_ordered_json(text, k_capture_json), one_line);
}

void throw_first(const std::string& where, const util::Problems& problems) {
  if (problems.empty()) return;
  const auto& first = problems.list().front();
  throw ImportError(where + ": " + (first.pointer.empty() ? std::string("/") : first.pointer) + ": " + first.message);
}

util::Headers read_headers(const util::Cursor& at) {
  util::Headers out;
  if (!at.exists()) return out;
  const util::Json& node = *at.node();
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it)
      if (const auto value = at[it.key()].string()) out.push_back({it.key(), *value});
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      const util::Cursor header = at.at(i);
      const auto name = header["name"].string(false);
      const auto value = header["value"].string();
      header["name"].require();
      header["value"].require();
      if (name && value) out.push_back({*name, *value});
    }
  } else {
    at.fail_expected("an object of header names and values, or an array of {\"name\", \"value\"}");
  }
  return out;
}

std::string body_text(const util::OrderedJson& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump(-1, ' ', false, util::OrderedJson::error_handler_t::replace);
}

std::string path_of_url(const util::Cursor& at, const std::string& url) {
  const auto parsed = util::parse_url(url);
  if (!parsed) {
    at.fail("expected an absolute http(s) URL, got " + util::describe(util::Json(url)));
    return "";
  }
  return parsed->target;
}

}  // namespace callhook::import

namespace callhook::import {
namespace {

// The reference tokens of a JSON pointer, unescaped (~1 is '/', ~0 is '~').
std::vector<std::string> tokens_of(std::string_view pointer) {
  std::vector<std::string> out;
  if (pointer.empty()) return out;
  std::size_t at = 1;  // past the leading '/'
  while (true) {
    const auto end = pointer.find('/', at);
    std::string token;
    const std::string_view raw = pointer.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size()) {
        token += raw[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        token += raw[i];
      }
    }
    out.push_back(std::move(token));
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return out;
}

std::optional<std::size_t> index_of(const std::string& token) {
  if (token.empty() || token.size() > 9 || token.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return static_cast<std::size_t>(std::stoul(token));
}

}  // namespace

util::Cursor cursor_at(const util::Cursor& root, std::string_view pointer) {
  util::Cursor at = root;
  for (const std::string& token : tokens_of(pointer)) {
    if (at.exists() && at.node()->is_array()) {
      const auto index = index_of(token);
      at =
          index ? at.at(*index) : util::Cursor(nullptr, at.pointer() + "/" + util::pointer_token(token), at.problems());
    } else {
      at = at[token];
    }
  }
  return at;
}

const util::OrderedJson* ordered_at(const util::OrderedJson& root, std::string_view pointer) {
  const util::OrderedJson* at = &root;
  for (const std::string& token : tokens_of(pointer)) {
    if (at->is_object()) {
      const auto it = at->find(token);
      if (it == at->end()) return nullptr;
      at = &*it;
    } else if (at->is_array()) {
      const auto index = index_of(token);
      if (!index || *index >= at->size()) return nullptr;
      at = &(*at)[*index];
    } else {
      return nullptr;
    }
  }
  return at;
}

}  // namespace callhook::import
