#pragma once
// The capture formats `callhook import` reads, one reader each, and the
// guess of which one a file is. Every reader throws ImportError naming the
// file and the line or JSON pointer of bad input.
#include <string>
#include <string_view>
#include <vector>

#include "import/captured.hpp"

namespace callhook::import {

enum class Format { Record, Har, Svix, Lines, Journal };

// "sink record", "HAR", "Svix attempts", "JSON lines", "journal".
std::string_view format_name(Format format);

// Where --map finds each part of a generic JSON line (JSON pointers). The
// body is required; a string body is sent as it is, other JSON serialized.
struct FieldMap {
  std::string time;     // ISO 8601 text or unix seconds/ms
  std::string body;     // required
  std::string headers;  // an object of name -> value, or [{"name","value"}]
  std::string method;   // default POST
  std::string path;     // path and query
  std::string url;      // a whole URL; its path and query are kept
};

// Reads --map's JSON ({"time":"/ts","body":"/payload","headers":"/h"}); throws ImportError "--map: ...".
FieldMap parse_field_map(std::string_view json);

// The file's format, guessed from its first document or line. A --map
// makes JSON lines (and arrays) generic lines. Throws ImportError when no
// format fits.
Format detect_format(const std::string& path, std::string_view text, bool have_map);

// One reader per format; `text` is the whole file.
std::vector<Captured> read_record(const std::string& path, std::string_view text);
std::vector<Captured> read_har(const std::string& path, std::string_view text);
std::vector<Captured> read_svix(const std::string& path, std::string_view text);
std::vector<Captured> read_lines(const std::string& path, std::string_view text, const FieldMap& map);
std::vector<Captured> read_journal(const std::string& path);

// The file read with the reader its format needs; `format`, when given,
// receives the format found.
std::vector<Captured> read_capture(const std::string& path, const FieldMap* map, Format* format = nullptr);

}  // namespace callhook::import
