#include "scenario/readers.hpp"
#include "util/url.hpp"

namespace callhook::scenario::detail {

namespace {

// The placeholders a probe URL may hold, filled per call by the engine.
const std::vector<std::string> k_probe_placeholders = {"call_id"};

bool valid_pointer(const std::string& text) {
  if (text.empty() || text.front() != '/') return false;
  try {
    util::Json::json_pointer pointer(text);
    return true;
  } catch (const util::Json::exception&) {
    return false;
  }
}

}  // namespace

std::map<std::string, util::Json> read_pointer_map(const util::Cursor& at) {
  std::map<std::string, util::Json> values;
  if (!at.is_object()) return values;
  for (auto it = at.node()->begin(); it != at.node()->end(); ++it) {
    if (!valid_pointer(it.key())) {
      at[it.key()].fail("expected a JSON pointer such as \"/data/status\" as the key, got " +
                        util::Json(it.key()).dump());
      continue;
    }
    values[it.key()] = it.value();
  }
  return values;
}

std::optional<StateProbe> read_probe(const util::Cursor& at) {
  if (!at.keys({"url", "expect", "after_ms"})) return std::nullopt;
  StateProbe probe;
  const util::Cursor url = at["url"];
  url.require();
  if (const auto text = url.string(false)) {
    probe.url_template = *text;
    // Each {name} must be a known placeholder; the URL must parse once they are filled.
    std::string filled;
    bool placeholders_ok = true;
    for (std::size_t i = 0; i < text->size(); ++i) {
      if ((*text)[i] != '{') {
        filled += (*text)[i];
        continue;
      }
      const std::size_t close = text->find('}', i);
      const std::string name = text->substr(i + 1, close == std::string::npos ? std::string::npos : close - i - 1);
      if (close == std::string::npos) {
        url.fail("unclosed \"{\" in " + util::describe(*url.node()));
        placeholders_ok = false;
        break;
      }
      if (!check_name(url, name, "placeholder", "", k_probe_placeholders)) placeholders_ok = false;
      filled += "x";
      i = close;
    }
    if (placeholders_ok && !util::parse_url(filled)) url.fail_expected("an http:// or https:// URL");
  }
  if (at["expect"].exists()) probe.expect = read_pointer_map(at["expect"]);
  probe.after_ms = at["after_ms"].integer_or(0, 0);
  return probe;
}

}  // namespace callhook::scenario::detail
