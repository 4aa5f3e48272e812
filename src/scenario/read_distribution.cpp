#include "scenario/readers.hpp"

namespace callhook::scenario::detail {

namespace {

constexpr std::string_view k_forms =
    "a number, {\"fixed\": n}, {\"uniform\": [lo, hi]}, {\"normal\": [mean, sd]}, {\"exponential\": mean} or "
    "{\"lognormal\": [mu, sigma]}";

// Two numbers [first, second]; each checked by its own bounds.
std::optional<std::pair<double, double>> read_pair(const util::Cursor& at, std::string_view shape, double first_min,
                                                   double second_min) {
  if (!at.node()->is_array()) {
    at.fail_expected(shape);
    return std::nullopt;
  }
  if (at.size() != 2) {
    at.fail("expected " + std::string(shape) + ", got " + at.node()->dump());
    return std::nullopt;
  }
  const auto first = at.at(0).number(first_min);
  const auto second = at.at(1).number(second_min);
  if (!first || !second) return std::nullopt;
  return std::pair{*first, *second};
}

}  // namespace

std::optional<Distribution> read_distribution(const util::Cursor& at) {
  if (!at.exists()) return std::nullopt;
  const util::Json& value = *at.node();
  if (value.is_number()) {
    const auto fixed = at.number(0);
    return fixed ? std::optional(Distribution::fixed(*fixed)) : std::nullopt;
  }
  if (!value.is_object() || value.size() != 1) {
    at.fail_expected("one of " + std::string(k_forms));
    return std::nullopt;
  }
  if (!at.keys({"fixed", "uniform", "normal", "exponential", "lognormal"})) return std::nullopt;
  const std::string& form = value.begin().key();
  const util::Cursor inner = at[form];
  using Kind = Distribution::Kind;
  if (form == "fixed") {
    const auto fixed = inner.number(0);
    return fixed ? std::optional(Distribution::fixed(*fixed)) : std::nullopt;
  }
  if (form == "exponential") {
    const auto mean = inner.positive_number();
    return mean ? std::optional(Distribution{Kind::Exponential, *mean, 0}) : std::nullopt;
  }
  if (form == "uniform") {
    const auto range = read_pair(inner, "[lo, hi]", 0, 0);
    if (!range) return std::nullopt;
    if (range->second < range->first) {
      inner.fail("expected lo <= hi, got " + inner.node()->dump());
      return std::nullopt;
    }
    return Distribution{Kind::Uniform, range->first, range->second};
  }
  if (form == "normal") {
    const auto params = read_pair(inner, "[mean, sd]", -1e300, 0);
    return params ? std::optional(Distribution{Kind::Normal, params->first, params->second}) : std::nullopt;
  }
  if (form == "lognormal") {
    const auto params = read_pair(inner, "[mu, sigma]", -1e300, 0);
    return params ? std::optional(Distribution{Kind::Lognormal, params->first, params->second}) : std::nullopt;
  }
  return std::nullopt;  // unknown form, reported by keys()
}

}  // namespace callhook::scenario::detail
