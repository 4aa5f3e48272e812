#pragma once
// `callhook import --redact`: phone numbers, names, emails and free text
// (transcripts, messages) in bodies and queries replaced by synthetic
// values of the same shape, consistently: a keyed hash of each value (and
// of each word of free text) picks its replacement, so the same input
// always gives the same fake, and a number that is in several deliveries
// stays one number. Digits stay digits, letters letters of the same case,
// everything else (punctuation, JSON escapes, '+', '@', '.') stays; a
// non-ASCII character becomes one ASCII letter. So a +E.164 number stays a
// +E.164 number of the same length, and the body's JSON stays valid.
#include <string>
#include <string_view>

namespace callhook::import {

class Redactor {
 public:
  explicit Redactor(std::string key = "callhook-redact");

  // The body with its personal data replaced: JSON (any body whose first
  // character is '{' or '['), or form text (application/x-www-form-urlencoded);
  // other bodies are returned as they are.
  std::string body(std::string_view content_type, std::string_view body) const;
  // A path's query ("/hooks?From=%2B614...") redacted as form text.
  std::string path(std::string_view path) const;

  // One value, classified by the key it sits under ("from", "caller_name",
  // "transcript") and by its shape (+E.164, email). `text` is the raw JSON
  // string content or form value (escapes kept in place).
  std::string value(std::string_view key, std::string_view text) const;

 private:
  // Each unit (letter, digit, non-ASCII character, \uXXXX escape) of `text`
  // after `keep` units replaced from a hash of `salt` and `text`.
  std::string replace_units(std::string_view salt, std::string_view text, std::size_t keep) const;
  // Every word (run of letters, digits and non-ASCII) replaced on its own.
  std::string replace_words(std::string_view text) const;
  std::string json(std::string_view body) const;
  std::string form(std::string_view text) const;

  std::string m_key;
};

}  // namespace callhook::import
