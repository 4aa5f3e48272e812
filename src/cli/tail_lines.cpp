#include "cli/tail_lines.hpp"

#include <cstdio>

#include "cli/cli.hpp"
#include "util/json_limits.hpp"

namespace callhook::cli {
namespace {

std::string text(const util::Json& doc, const char* key) {
  const auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : "";
}

std::int64_t integer(const util::Json& doc, const char* key) {
  const auto it = doc.find(key);
  return it != doc.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

std::string printf_line(const char* format, auto... values) {
  char line[1024];
  std::snprintf(line, sizeof line, format, values...);
  return line;
}

std::string attempt_line(const util::Json& a) {
  const std::string error = text(a, "error");
  const std::string answer = error.empty() ? std::to_string(integer(a, "status")) : error;
  return printf_line("%9.3fs  %-36s %-28s #%-2lld %7s %9.2f ms  %s",
                     static_cast<double>(integer(a, "wall_offset_us")) / 1e6, text(a, "call").c_str(),
                     text(a, "event").c_str(), static_cast<long long>(integer(a, "attempt")), answer.c_str(),
                     static_cast<double>(integer(a, "wall_latency_us")) / 1e3, text(a, "verdict").c_str()) +
         (a.value("will_retry", false) ? ", will retry" : "");
}

std::string final_line(const util::Json& f) {
  const std::int64_t attempts = integer(f, "attempts");
  const std::string reason = text(f, "reason");
  return printf_line("%10s  %-36s %-28s = %s after %lld %s", "", text(f, "call").c_str(), text(f, "event").c_str(),
                     text(f, "result").c_str(), static_cast<long long>(attempts),
                     attempts == 1 ? "attempt" : "attempts") +
         (reason.empty() ? "" : ": " + reason);
}

std::string end_line(const util::Json& e) {
  return "end: " + std::to_string(integer(e, "planned")) + " planned, " + std::to_string(integer(e, "delivered")) +
         " delivered, " + std::to_string(integer(e, "failed")) + " failed, " + std::to_string(integer(e, "dropped")) +
         " dropped, " + std::to_string(integer(e, "cancelled")) + " cancelled" +
         (e.value("interrupted", false) ? " (interrupted)" : "");
}

}  // namespace

std::string tail_line(std::string_view record, const std::string& source) {
  const auto parsed = util::parse_json(record, util::k_journal_line_json);
  if (parsed.failure || !parsed.value.is_object())
    throw UsageError(source + ": not a journal record: " +
                     (parsed.failure ? parsed.failure->message(true) : std::string("expected a JSON object")));
  const util::Json& doc = parsed.value;
  const std::string kind = text(doc, "kind");
  if (kind == "attempt") return attempt_line(doc);
  if (kind == "final") return final_line(doc);
  if (kind == "finding")
    return printf_line("%10s  %-36s %-28s ! finding: %s", "", text(doc, "call").c_str(), text(doc, "event").c_str(),
                       text(doc, "message").c_str());
  if (kind == "run") return "run " + text(doc, "scenario") + " (seed " + std::to_string(integer(doc, "seed")) + ")";
  if (kind == "end") return end_line(doc);
  return "";
}

}  // namespace callhook::cli
