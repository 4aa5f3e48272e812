#include "vendors/common.hpp"

#include <algorithm>
#include <cmath>

#include "util/url.hpp"

namespace callhook::vendors {

OJson to_ordered(const util::Json& value) { return OJson::parse(value.dump()); }

std::string dump(const OJson& body) { return body.dump(-1, ' ', false, OJson::error_handler_t::replace); }

Delivery make_delivery(std::string event, std::string url, std::string method, std::string content_type,
                       std::string body, std::int64_t due_ms, std::string call_id, std::string event_field) {
  Delivery d;
  d.event = std::move(event);
  d.url = std::move(url);
  d.method = std::move(method);
  d.content_type = std::move(content_type);
  d.body = std::move(body);
  d.due_ms = due_ms;
  d.planned_ms = due_ms;
  d.call_id = std::move(call_id);
  d.event_field = std::move(event_field);
  return d;
}

std::string form_text(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string encoded;
  for (const auto& [name, value] : params) {
    if (!encoded.empty()) encoded += '&';
    encoded += util::form_encode(name) + "=" + util::form_encode(value);
  }
  return encoded;
}

void sort_by_due(std::vector<Delivery>& batch) {
  const auto earlier = [](const Delivery& a, const Delivery& b) { return a.due_ms < b.due_ms; };
  // Most batches are a handful of deliveries: an insertion sort (stable too)
  // needs no temporary buffer, which std::stable_sort allocates every time.
  if (batch.size() > 16) {
    std::stable_sort(batch.begin(), batch.end(), earlier);
    return;
  }
  for (std::size_t i = 1; i < batch.size(); ++i) {
    if (!earlier(batch[i], batch[i - 1])) continue;
    Delivery moving = std::move(batch[i]);
    std::size_t j = i;
    for (; j > 0 && earlier(moving, batch[j - 1]); --j) batch[j] = std::move(batch[j - 1]);
    batch[j] = std::move(moving);
  }
}

bool is_http_url(std::string_view text) { return util::parse_url(text).has_value(); }

bool is_e164(const std::string& s) {
  if (s.size() < 8 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
  for (std::size_t i = 1; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

std::optional<std::string> read_url(const util::Cursor& cursor) {
  if (!cursor.exists()) return std::nullopt;
  const auto node = cursor.node();
  if (!node->is_string() || !is_http_url(node->get_ref<const std::string&>())) {
    cursor.fail_expected("an http(s) URL");
    return std::nullopt;
  }
  return node->get<std::string>();
}

double read_probability(const util::Cursor& cursor, double fallback) { return cursor.number_or(fallback, 0, 1); }

std::map<std::string, std::string> read_string_map(const util::Cursor& cursor) {
  std::map<std::string, std::string> out;
  if (!cursor.exists() || !cursor.is_object()) return out;
  for (const auto& [key, value] : cursor.node()->items()) {
    if (auto text = cursor[key].string()) out[key] = *text;
  }
  return out;
}

std::vector<std::pair<std::string, double>> read_weights(const util::Cursor& cursor,
                                                         const std::vector<std::string>& allowed,
                                                         std::vector<std::pair<std::string, double>> fallback) {
  if (!cursor.exists()) return fallback;
  if (!allowed.empty() && !cursor.keys(allowed)) return fallback;
  if (allowed.empty() && !cursor.is_object()) return fallback;
  std::vector<std::pair<std::string, double>> out;
  double total = 0;
  bool ok = true;
  for (const auto& item : cursor.node()->items()) {
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end()) {
      ok = false;  // reported by keys()
      continue;
    }
    const auto weight = cursor[item.key()].number(0, 1e300);
    if (!weight) {
      ok = false;
      continue;
    }
    total += *weight;
    out.emplace_back(item.key(), *weight);
  }
  if (ok && total <= 0) {
    cursor.fail("expected at least one positive weight");
    ok = false;
  }
  return ok ? out : fallback;
}

std::string pick(util::Rng& rng, const std::vector<std::pair<std::string, double>>& weights) {
  if (weights.empty()) return "";
  std::vector<double> w;
  w.reserve(weights.size());
  for (const auto& [name, weight] : weights) w.push_back(weight);
  return weights[rng.weighted(w)].first;
}

scenario::RetryPolicy retry_policy(int max_attempts, std::vector<std::int64_t> backoff_ms) {
  scenario::RetryPolicy policy;
  policy.max_attempts = max_attempts;
  policy.backoff_ms = std::move(backoff_ms);
  return policy;
}

std::optional<util::Json> parse_answer(const std::string& body, util::Problems& problems, std::string_view expected) {
  if (body.empty()) {
    problems.add("", "empty body, expected " + std::string(expected));
    return std::nullopt;
  }
  auto [parsed, failure] = util::parse_json(body, util::k_answer_json);
  if (!failure) return std::move(parsed);
  if (failure->kind == util::JsonFailure::Kind::Syntax)
    problems.add("", "not valid JSON");
  else
    problems.add(failure->pointer, failure->message());
  return std::nullopt;
}

std::string not_delivered_reason(const Answer& answer) {
  if (!answer.error.empty()) return answer.error;
  if (answer.status != 0) return "HTTP " + std::to_string(answer.status);
  return "no answer";
}

std::string join_problems(const util::Problems& problems) {
  std::string out;
  for (const auto& p : problems.list()) {
    if (!out.empty()) out += "; ";
    if (!p.pointer.empty()) out += p.pointer + ": ";
    out += p.message;
  }
  return out;
}

std::string leading_words(const std::string& text, double fraction) {
  std::vector<std::size_t> ends;  // end offset of each word
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool space = text[i] == ' ';
    if (in_word && space) ends.push_back(i);
    in_word = !space;
  }
  if (in_word) ends.push_back(text.size());
  if (ends.empty()) return text;
  auto keep = static_cast<std::size_t>(std::ceil(static_cast<double>(ends.size()) * fraction));
  keep = std::clamp<std::size_t>(keep, 1, ends.size());
  return text.substr(0, ends[keep - 1]);
}

std::int64_t speaking_ms(const std::string& text) {
  // About 14 characters a second, the pace of a calm voice bot.
  return std::max<std::int64_t>(800, static_cast<std::int64_t>(text.size()) * 70);
}

std::string recording_url(const std::string& base, const std::string& name, std::int64_t bytes,
                          const std::string& ext) {
  std::string prefix = base;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return prefix + "/" + name + "-" + std::to_string(bytes) + "." + ext;
}

std::int64_t default_bytes_per_second(const std::string& format) { return format == "wav" ? 16000 : 2000; }

std::int64_t recording_bytes(util::Rng& rng, std::int64_t duration_ms, const std::string& format,
                             std::int64_t bytes_per_second) {
  // The server's limits: a WAV needs its 44-byte header plus room for odd
  // sizes (54 and up is always fine); an Ogg Opus file at least 128 bytes;
  // nothing above 64 MiB.
  constexpr std::int64_t k_max_bytes = std::int64_t{64} << 20;
  const bool wav = format == "wav";
  const double seconds = static_cast<double>(std::max<std::int64_t>(duration_ms, 0)) / 1000.0;
  const double variation = rng.uniform(0.97, 1.03);
  const auto audio = static_cast<std::int64_t>(seconds * static_cast<double>(bytes_per_second) * variation);
  const std::int64_t bytes = (wav ? 44 : 0) + audio;
  return std::clamp<std::int64_t>(bytes, wav ? 54 : 128, k_max_bytes);
}

std::int64_t whole_seconds(std::int64_t ms) { return (std::max<std::int64_t>(ms, 0) + 500) / 1000; }

std::string upper(std::string text) {
  for (auto& c : text)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return text;
}

}  // namespace callhook::vendors
