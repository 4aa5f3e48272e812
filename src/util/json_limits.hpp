#pragma once
// Parsing JSON that comes from outside (scenario files, flags, rules files,
// journal lines, receivers' answers) within limits. Nesting deeper than
// k_max_json_depth is refused while parsing, before anything could recurse
// into it (nlohmann's dump, copy and comparison are recursive), and each kind
// of input has a maximum size. A breach is reported like a syntax error: with
// the line, column and JSON pointer where it sits.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace callhook::util {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// Arrays and objects inside one another; the document's own value is level 1.
inline constexpr std::size_t k_max_json_depth = 128;

// One kind of input: what it is called in messages, how large it may be and
// whether // and /* */ comments are allowed.
struct JsonLimits {
  std::string_view what;
  std::size_t max_bytes;
  bool comments = false;
};

inline constexpr std::size_t k_kib = 1024;
inline constexpr std::size_t k_mib = 1024 * 1024;

inline constexpr JsonLimits k_scenario_json{"a scenario file", 64 * k_mib, true};
inline constexpr JsonLimits k_rules_json{"a rules file", 16 * k_mib, true};
// --set values and --config (the command line itself allows at most 128 KiB per argument).
inline constexpr JsonLimits k_flag_json{"a flag value", 64 * k_kib, false};
// A journal record holds a request body and up to 64 KiB of the answer.
inline constexpr JsonLimits k_journal_line_json{"a journal line", 64 * k_mib, false};
// Handshake and probe answers: the transport keeps at most 64 KiB of a body.
inline constexpr JsonLimits k_answer_json{"an answer", 64 * k_kib, false};
// A JSON report read back by `callhook merge` (a week of per-second entries fits).
inline constexpr JsonLimits k_report_json{"a report file", 256 * k_mib, false};
// Bodies the sink receives, parsed to name their event and to print them.
inline constexpr JsonLimits k_received_json{"a received body", 64 * k_mib, false};

struct JsonFailure {
  enum class Kind { Syntax, TooDeep, TooLarge };
  Kind kind = Kind::Syntax;
  std::string detail;    // nlohmann's words for a syntax error; the limit otherwise
  std::string pointer;   // where the problem sits ("" = the document)
  std::size_t line = 0;  // 1-based; 0 when the whole input is the problem
  std::size_t column = 0;

  // "invalid JSON at line 3, column 5: syntax error while parsing ...",
  // "nested deeper than 128 levels at line 1, column 129",
  // "too large: 70000000 bytes, a scenario file may have at most 64 MiB".
  // one_line leaves the line out (a journal line is always line 1).
  std::string message(bool one_line = false) const;
};

// The value, or (with failure set) a discarded value.
template <class J>
struct ParsedJson {
  J value;
  std::optional<JsonFailure> failure;
  bool ok() const { return !failure; }
};

ParsedJson<Json> parse_json(std::string_view text, const JsonLimits& limits);
ParsedJson<OrderedJson> parse_ordered_json(std::string_view text, const JsonLimits& limits);

// The failure for input of `bytes` bytes, when that is over the limit (for
// callers that can check a file's size before reading it).
std::optional<JsonFailure> size_failure(std::size_t bytes, const JsonLimits& limits);

// "64 KiB", "64 MiB", "100 bytes".
std::string byte_size_text(std::size_t bytes);

}  // namespace callhook::util
