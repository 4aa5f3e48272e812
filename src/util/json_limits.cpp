#include "util/json_limits.hpp"

#include <charconv>
#include <vector>

#include "util/json_cursor.hpp"

namespace callhook::util {

namespace {

// Where a byte of the text sits: line, column and the JSON pointer of the
// value being read there. A second, simple walk over text the parser has
// already accepted up to that byte, so it only follows strings, comments and
// brackets; it runs only when something is wrong.
struct Place {
  std::size_t line = 1;
  std::size_t column = 1;
  std::string pointer;
};

Place locate(std::string_view text, std::size_t stop, std::size_t max_depth) {
  struct Frame {
    bool array = false;
    std::size_t index = 0;  // arrays: the element being read
    std::string key;        // objects: the member being read
    bool has_key = false;   // a member is being read (its key is known, its value not complete)
    bool in_value = false;  // past the member's ':'
  };
  // A string or container value just ended: a problem after it belongs to
  // the object, not to the member.
  const auto value_done = [](std::vector<Frame>& open) {
    if (!open.empty() && !open.back().array && open.back().in_value) open.back().has_key = open.back().in_value = false;
  };
  std::vector<Frame> frames;
  std::size_t line = 1;
  std::size_t line_start = 0;
  const auto place = [&](std::size_t at) {
    Place p;
    p.line = line;
    p.column = at - line_start + 1;
    for (const Frame& f : frames) {
      if (!f.array && !f.has_key) break;
      p.pointer += '/';
      p.pointer += f.array ? std::to_string(f.index) : pointer_token(f.key);
    }
    return p;
  };
  stop = std::min(stop, text.size());
  std::size_t i = 0;
  for (; i < stop; ++i) {
    const char c = text[i];
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (c == '\n') {
      ++line;
      line_start = i + 1;
    } else if (c == '"') {
      std::string value;
      for (++i; i < stop && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < stop) {
          ++i;
          if (text[i] != '"' && text[i] != '\\' && text[i] != '/') value += '\\';
        }
        value += text[i];
      }
      if (i >= stop) break;  // the problem is inside this string
      if (!frames.empty() && !frames.back().array && !frames.back().has_key) {
        frames.back().key = std::move(value);
        frames.back().has_key = true;
      } else {
        value_done(frames);
      }
    } else if (c == '/' && next == '/') {
      while (i + 1 < stop && text[i + 1] != '\n') ++i;
    } else if (c == '/' && next == '*') {
      for (i += 2; i + 1 < stop && !(text[i] == '*' && text[i + 1] == '/'); ++i) {
        if (text[i] == '\n') {
          ++line;
          line_start = i + 1;
        }
      }
      ++i;
    } else if (c == '{' || c == '[') {
      if (frames.size() >= max_depth) return place(i);
      frames.push_back({c == '[', 0, {}, false, false});
    } else if (c == '}' || c == ']') {
      if (!frames.empty()) frames.pop_back();
      value_done(frames);
    } else if (c == ':' && !frames.empty()) {
      frames.back().in_value = true;
    } else if (c == ',' && !frames.empty()) {
      if (frames.back().array)
        ++frames.back().index;
      else
        frames.back().has_key = frames.back().in_value = false;
    }
  }
  return place(std::min(i, text.size()));
}

// "[json.exception.parse_error.101] parse error at line 3, column 5: syntax
// error ..." -> line 3, column 5 and the words after them.
bool split_parse_message(const std::string& what, JsonFailure& failure) {
  constexpr std::string_view k_at = "at line ";
  const std::size_t at = what.find(k_at);
  if (at == std::string::npos) return false;
  const char* p = what.data() + at + k_at.size();
  const char* end = what.data() + what.size();
  auto [after_line, e1] = std::from_chars(p, end, failure.line);
  constexpr std::string_view k_column = ", column ";
  if (e1 != std::errc() ||
      std::string_view(after_line, static_cast<std::size_t>(end - after_line)).rfind(k_column, 0) != 0)
    return false;
  auto [after_column, e2] = std::from_chars(after_line + k_column.size(), end, failure.column);
  if (e2 != std::errc()) return false;
  std::string_view rest(after_column, static_cast<std::size_t>(end - after_column));
  if (rest.rfind(": ", 0) == 0) rest.remove_prefix(2);
  failure.detail = std::string(rest);
  return true;
}

// nlohmann's DOM builder with a depth count: an array or object that would
// open level k_max_json_depth + 1 stops the parse before it is built.
template <class J>
class LimitedDomParser : public nlohmann::detail::json_sax_dom_parser<J> {
  using Base = nlohmann::detail::json_sax_dom_parser<J>;

 public:
  explicit LimitedDomParser(J& result) : Base(result, false) {}

  bool start_object(std::size_t elements) { return enter() && Base::start_object(elements); }
  bool start_array(std::size_t elements) { return enter() && Base::start_array(elements); }
  bool end_object() {
    --m_depth;
    return Base::end_object();
  }
  bool end_array() {
    --m_depth;
    return Base::end_array();
  }
  bool parse_error(std::size_t position, const std::string& token, const nlohmann::detail::exception& error) {
    m_error_position = position;
    m_error = error.what();
    return Base::parse_error(position, token, error);
  }

  bool too_deep() const { return m_too_deep; }
  std::size_t error_position() const { return m_error_position; }
  const std::string& error() const { return m_error; }

 private:
  bool enter() {
    if (++m_depth <= k_max_json_depth) return true;
    m_too_deep = true;
    return false;
  }

  std::size_t m_depth = 0;
  bool m_too_deep = false;
  std::size_t m_error_position = 0;
  std::string m_error;
};

template <class J>
ParsedJson<J> parse_limited(std::string_view text, const JsonLimits& limits) {
  ParsedJson<J> out;
  if ((out.failure = size_failure(text.size(), limits))) {
    out.value = J(J::value_t::discarded);
    return out;
  }
  LimitedDomParser<J> sax(out.value);
  const bool parsed = J::sax_parse(text, &sax, J::input_format_t::json, /*strict=*/true, limits.comments);
  if (parsed) return out;
  out.value = J(J::value_t::discarded);
  JsonFailure failure;
  if (sax.too_deep()) {
    const Place place = locate(text, text.size(), k_max_json_depth);
    failure = {JsonFailure::Kind::TooDeep, "nested deeper than " + std::to_string(k_max_json_depth) + " levels",
               place.pointer, place.line, place.column};
  } else {
    const std::size_t position = sax.error_position();
    const Place place = locate(text, position > 0 ? position - 1 : 0, k_max_json_depth);
    failure.kind = JsonFailure::Kind::Syntax;
    failure.pointer = place.pointer;
    // nlohmann counts a newline it stopped at as column 0 of the next line;
    // the walk names the character itself.
    if (!split_parse_message(sax.error(), failure) || failure.column == 0) {
      if (failure.detail.empty()) {
        failure.detail = sax.error();
        if (const auto tag = failure.detail.find("] "); tag != std::string::npos) failure.detail.erase(0, tag + 2);
      }
      failure.line = place.line;
      failure.column = place.column;
    }
  }
  out.failure = std::move(failure);
  return out;
}

}  // namespace

std::string JsonFailure::message(bool one_line) const {
  const std::string where = one_line ? "at column " + std::to_string(column)
                                     : "at line " + std::to_string(line) + ", column " + std::to_string(column);
  switch (kind) {
    case Kind::Syntax: return "invalid JSON " + where + ": " + detail;
    case Kind::TooDeep: return detail + " " + where;
    case Kind::TooLarge: break;
  }
  return "too large: " + detail;
}

ParsedJson<Json> parse_json(std::string_view text, const JsonLimits& limits) {
  return parse_limited<Json>(text, limits);
}

ParsedJson<OrderedJson> parse_ordered_json(std::string_view text, const JsonLimits& limits) {
  return parse_limited<OrderedJson>(text, limits);
}

std::optional<JsonFailure> size_failure(std::size_t bytes, const JsonLimits& limits) {
  if (bytes <= limits.max_bytes) return std::nullopt;
  return JsonFailure{JsonFailure::Kind::TooLarge,
                     std::to_string(bytes) + " bytes, " + std::string(limits.what) + " may have at most " +
                         byte_size_text(limits.max_bytes),
                     "", 0, 0};
}

std::string byte_size_text(std::size_t bytes) {
  if (bytes >= k_mib && bytes % k_mib == 0) return std::to_string(bytes / k_mib) + " MiB";
  if (bytes >= k_kib && bytes % k_kib == 0) return std::to_string(bytes / k_kib) + " KiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace callhook::util
