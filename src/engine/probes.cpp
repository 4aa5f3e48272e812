#include "engine/probes.hpp"

#include <strings.h>

#include <algorithm>
#include <optional>
#include <regex>

#include "scenario/placeholders.hpp"
#include "util/json_limits.hpp"
#include "util/time_format.hpp"
#include "util/url.hpp"
#include "util/utf8.hpp"

namespace callhook::engine {
namespace {

constexpr std::string_view k_delivered = "call.delivered.";
// Longer strings are not searched: std::regex recurses per character.
constexpr std::size_t k_max_regex_subject = 4096;
// The most of a mismatch text (expected, got, message) kept.
constexpr std::size_t k_max_probe_text = 4096;

// A text from the answer or the probe as the journal and the reports show
// it: at most k_max_probe_text bytes, saying it was cut.
void bound(std::string& text) {
  if (text.size() <= k_max_probe_text) return;
  const std::size_t bytes = text.size();
  text = std::string(util::utf8_prefix(text, k_max_probe_text)) + "... (cut, " + std::to_string(bytes) + " bytes)";
}

util::Json seconds(std::int64_t ms) {
  if (ms % 1000 == 0) return util::Json(ms / 1000);
  return util::Json(static_cast<double>(ms) / 1000.0);
}

std::string as_text(const util::Json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

// Characters of a UTF-8 string (bytes that do not continue a character).
std::size_t characters(const std::string& text) {
  std::size_t n = 0;
  for (const char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

struct Mismatch {
  std::string expected;
  std::string got;
};

// nullopt when `found` (nullptr: missing) passes the check.
std::optional<Mismatch> check(const scenario::ProbeMatcher& m, const util::Json& arg, const util::Json* found) {
  using Kind = scenario::ProbeMatcher::Kind;
  const std::string got = found ? util::describe(*found) : "missing";
  switch (m.kind) {
    case Kind::Equals:
      if (found && *found == arg) return std::nullopt;
      return Mismatch{arg.dump(), got};
    case Kind::Absent:
      if (!found) return std::nullopt;
      return Mismatch{"absent", got};
    case Kind::Present:
      if (found) return std::nullopt;
      return Mismatch{"present", got};
    case Kind::Min:
    case Kind::Max: {
      const bool min = m.kind == Kind::Min;
      const std::string expected = std::string(min ? "at least " : "at most ") + arg.dump();
      if (!found || !found->is_number() || !arg.is_number()) return Mismatch{expected, got};
      const double v = found->get<double>(), limit = arg.get<double>();
      if (min ? v >= limit : v <= limit) return std::nullopt;
      return Mismatch{expected, got};
    }
    case Kind::Length: {
      const std::string expected = "length " + arg.dump();
      if (!found) return Mismatch{expected, got};
      std::size_t size = 0;
      if (found->is_string())
        size = characters(found->get_ref<const std::string&>());
      else if (found->is_array() || found->is_object())
        size = found->size();
      else
        return Mismatch{expected, got};
      if (arg.is_number() && arg == util::Json(size)) return std::nullopt;
      return Mismatch{expected, got + " (length " + std::to_string(size) + ")"};
    }
    case Kind::Matches: {
      const std::string pattern = arg.is_string() ? arg.get<std::string>() : arg.dump();
      const std::string expected = "matching " + util::Json(pattern).dump();
      if (!found || !found->is_string()) return Mismatch{expected, got};
      const auto& text = found->get_ref<const std::string&>();
      if (text.size() > k_max_regex_subject)
        return Mismatch{expected, "a string of " + std::to_string(text.size()) + " bytes, too long to match"};
      try {
        if (std::regex_search(text, std::regex(pattern, std::regex::ECMAScript))) return std::nullopt;
      } catch (const std::regex_error& e) {
        return Mismatch{expected, std::string("an invalid pattern: ") + e.what()};
      }
      return Mismatch{expected, got};
    }
    case Kind::OneOf:
      if (found && arg.is_array())
        for (const auto& option : arg)
          if (*found == option) return std::nullopt;
      return Mismatch{"one of " + arg.dump(), got};
  }
  return std::nullopt;
}

bool status_ok(const scenario::StateProbe& probe, int status) {
  if (probe.expect_status.empty()) return status / 100 == 2;
  return std::find(probe.expect_status.begin(), probe.expect_status.end(), status) != probe.expect_status.end();
}

}  // namespace

CallFacts call_facts(const population::Call& call, const vendors::SessionFacts& session,
                     const std::string& default_platform) {
  const bool outbound = call.direction == "outbound";
  CallFacts f;
  f["call.id"] = session.call_id;
  f["call.session_id"] = session.session_id.empty() ? util::Json() : util::Json(session.session_id);
  f["call.from"] = outbound ? call.agent_number : call.user_number;
  f["call.to"] = outbound ? call.user_number : call.agent_number;
  f["call.direction"] = call.direction;
  f["call.platform"] = call.platform.empty() ? default_platform : call.platform;
  f["call.started_at"] = util::iso8601_ms(call.start_ms);
  f["call.ended_at"] = util::iso8601_ms(call.end_ms());
  f["call.duration_s"] = seconds(call.duration_ms);
  f["call.end_reason"] = session.end_reason.empty() ? util::Json() : util::Json(session.end_reason);
  f["call.turns"] = call.turns.size();
  f["call.transferred"] = session.transferred.value_or(call.wants_agent);
  for (const auto& [name, value] : session.vendor) f["call.vendor." + name] = value;
  return f;
}

void count_delivered(CallFacts& facts, const std::string& event) {
  std::string name(k_delivered);
  name += event;
  util::Json& count = facts[name];
  count = count.is_number_integer() ? count.get<std::int64_t>() + 1 : 1;
}

util::Json fact_value(const CallFacts& facts, std::string_view name) {
  const std::string canonical = scenario::canonical_placeholder(name);
  if (const auto it = facts.find(canonical); it != facts.end()) return it->second;
  if (canonical.rfind(k_delivered, 0) == 0) return 0;
  return nullptr;
}

std::string fill_text(std::string_view text, const CallFacts& facts, bool in_url) {
  std::string out;
  std::size_t from = 0;
  for (const auto& p : scenario::find_placeholders(text)) {
    out.append(text.substr(from, p.at - from));
    const std::string value = as_text(fact_value(facts, p.name));
    out += in_url ? util::form_encode(value) : value;
    from = p.at + p.size;
  }
  out.append(text.substr(from));
  return out;
}

util::Json fill_value(const util::Json& value, const CallFacts& facts) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    const auto found = scenario::find_placeholders(text);
    if (found.empty()) return value;
    if (found.size() == 1 && found.front().size == text.size()) return fact_value(facts, found.front().name);
    return fill_text(text, facts);
  }
  if (value.is_array() || value.is_object()) {
    util::Json out = value;
    for (auto it = out.begin(); it != out.end(); ++it) *it = fill_value(*it, facts);
    return out;
  }
  return value;
}

vendors::Delivery probe_request(const scenario::StateProbe& probe, const CallFacts& facts) {
  vendors::Delivery d;
  d.event = "probe";
  d.method = probe.method;
  d.content_type.clear();
  d.call_id = as_text(fact_value(facts, "call.id"));
  d.url = fill_text(probe.url_template, facts, true);
  for (const auto& [name, value] : probe.headers) d.headers.push_back({name, fill_text(value, facts)});
  if (probe.body.is_string()) {
    d.body = fill_text(probe.body.get_ref<const std::string&>(), facts);
    d.content_type = "text/plain; charset=utf-8";
  } else if (!probe.body.is_null()) {
    d.body = fill_value(probe.body, facts).dump();
    d.content_type = "application/json";
  }
  // A Content-Type the probe gives wins over the one its body implies.
  for (const auto& [name, value] : probe.headers)
    if (strcasecmp(name.c_str(), "content-type") == 0) d.content_type.clear();
  return d;
}

report::ProbeResult judge_probe(const scenario::StateProbe& probe, const CallFacts& facts,
                                const vendors::Delivery& request, const delivery::HttpResult& answer) {
  report::ProbeResult p;
  p.call_id = request.call_id;
  p.url = request.url;
  p.method = request.method;
  p.status = answer.status;
  p.answer = answer.body.substr(0, report::k_probe_answer_bytes);
  if (answer.error != delivery::ErrorKind::None) {
    p.error = delivery::error_name(answer.error);
    p.message = p.error + (answer.error_text.empty() ? "" : " (" + answer.error_text + ")");
  } else if (!status_ok(probe, answer.status)) {
    p.message = "status " + std::to_string(answer.status);
    if (!probe.expect_status.empty()) p.message += ", expected " + util::Json(probe.expect_status).dump();
  } else if (!probe.expect.empty()) {
    const auto body = util::parse_json(answer.body, util::k_answer_json).value;
    if (body.is_discarded()) {
      p.message = "the answer is not JSON";
    } else {
      for (const auto& [pointer, matcher] : probe.expect) {
        const util::Json::json_pointer ptr(pointer);
        const util::Json* found = nullptr;
        try {
          if (body.contains(ptr)) found = &body.at(ptr);
        } catch (const util::Json::exception&) {
          found = nullptr;  // a pointer into a value of another shape: not there
        }
        if (auto miss = check(matcher, fill_value(matcher.value, facts), found)) {
          p.pointer = pointer;
          p.expected = std::move(miss->expected);
          p.got = std::move(miss->got);
          p.message = pointer + ": expected " + p.expected + ", got " + p.got;
          break;
        }
      }
    }
  }
  p.passed = p.message.empty();
  bound(p.expected);
  bound(p.got);
  bound(p.message);
  return p;
}

}  // namespace callhook::engine
