#pragma once
// A small, fast JSON text builder for hot paths (payloads at load, the
// journal), where building an nlohmann::json tree per record costs too much.
// The caller is responsible for structure; values are escaped correctly.
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace callhook::util {

// Appends `text` as a JSON string literal (quotes included). Control
// characters and invalid UTF-8 bytes are escaped as \u00XX so the output is
// always valid JSON.
void append_json_string(std::string& out, std::string_view text);

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : m_out(out) {}
  JsonWriter& begin_object() {
    comma();
    m_out += '{';
    m_first = true;
    return *this;
  }
  JsonWriter& end_object() {
    m_out += '}';
    m_first = false;
    return *this;
  }
  JsonWriter& begin_array() {
    comma();
    m_out += '[';
    m_first = true;
    return *this;
  }
  JsonWriter& end_array() {
    m_out += ']';
    m_first = false;
    return *this;
  }
  JsonWriter& key(std::string_view k) {
    comma();
    append_json_string(m_out, k);
    m_out += ':';
    m_first = true;  // the value that follows takes no comma
    return *this;
  }
  JsonWriter& value(std::string_view v) {
    comma();
    append_json_string(m_out, v);
    return *this;
  }
  JsonWriter& value(const char* v) { return value(std::string_view(v)); }
  JsonWriter& value(std::int64_t v) {
    comma();
    return number(v);
  }
  JsonWriter& value(int v) { return value(static_cast<std::int64_t>(v)); }
  JsonWriter& value(std::uint64_t v) {
    comma();
    return number(v);
  }
  JsonWriter& value(bool v) {
    comma();
    m_out += v ? "true" : "false";
    return *this;
  }
  JsonWriter& null() {
    comma();
    m_out += "null";
    return *this;
  }
  JsonWriter& raw(std::string_view json) {
    comma();
    m_out += json;
    return *this;
  }
  // Members of the open object (or elements of the open array) already
  // written as JSON ("\"a\":1,\"b\":2"), for parts that repeat from payload
  // to payload: written once, they are not escaped again each time. An empty
  // text adds nothing.
  JsonWriter& members(std::string_view json) {
    if (json.empty()) return *this;
    comma();
    m_out += json;
    return *this;
  }
  template <class T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

 private:
  // Written in place: a payload has a dozen numbers, and a string made for
  // each was a good part of its cost.
  template <class Integer>
  JsonWriter& number(Integer v) {
    char text[24];
    m_out.append(text, static_cast<std::size_t>(std::to_chars(text, text + sizeof text, v).ptr - text));
    return *this;
  }
  void comma() {
    if (!m_first) m_out += ',';
    m_first = false;
  }
  std::string& m_out;
  bool m_first = true;
};

}  // namespace callhook::util
