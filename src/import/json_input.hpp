#pragma once
// Helpers the readers share: the file's text, its lines, JSON parsed with
// util::parse_json's limits, and errors named "FILE:LINE: /pointer: message".
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "util/header.hpp"
#include "util/json_cursor.hpp"
#include "util/json_limits.hpp"

namespace callhook::import {

// Captures, like journals, hold whole request bodies.
inline constexpr util::JsonLimits k_capture_json{"a capture file", 256 * util::k_mib, false};

// The whole file; throws ImportError when it cannot be read or is too large.
std::string read_text(const std::string& path);

struct Line {
  std::size_t number = 0;  // 1-based
  std::string_view text;
};
// The non-blank lines of `text`.
std::vector<Line> lines_of(std::string_view text);

// `text` as JSON, or an ImportError at `where` ("FILE" or "FILE:LINE").
util::Json parse_document(const std::string& where, std::string_view text, bool one_line);
// The same with objects' keys in the order written (bodies serialized again keep it).
util::OrderedJson parse_ordered_document(const std::string& where, std::string_view text, bool one_line);

// Throws ImportError "WHERE: POINTER: MESSAGE" for the first problem, if any.
void throw_first(const std::string& where, const util::Problems& problems);

// Headers from an object (name -> string) or an array of {"name", "value"}
// objects (HAR's form); problems at the cursor's pointers.
util::Headers read_headers(const util::Cursor& at);

// A body: a string as it is, other JSON (not null) compact as written.
std::string body_text(const util::OrderedJson& value);

// "/hooks?x=1" of an absolute URL, or nullopt-like "" with a problem at `at`.
std::string path_of_url(const util::Cursor& at, const std::string& url);

}  // namespace callhook::import

namespace callhook::import {

// The cursor at a JSON pointer under `root` ("" = root; array elements by
// index); a cursor that does not exist when the pointer leads nowhere.
util::Cursor cursor_at(const util::Cursor& root, std::string_view pointer);
// The same in an ordered document; nullptr when the pointer leads nowhere.
const util::OrderedJson* ordered_at(const util::OrderedJson& root, std::string_view pointer);

}  // namespace callhook::import
