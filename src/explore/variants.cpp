#include "explore/variants.hpp"

#include <algorithm>
#include <numeric>
#include <set>

#include "util/rng.hpp"

namespace callhook::explore {
namespace {

std::vector<std::size_t> identity(std::size_t n) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  return order;
}

Variant from_order(std::string kind, const std::vector<std::size_t>& order) {
  Variant v{std::move(kind), {}};
  for (const std::size_t d : order) v.steps.push_back({d, 1});
  return v;
}

// Marks each pair (a before b) the order puts; returns how many were new.
std::size_t cover(const std::vector<std::size_t>& order, std::vector<std::vector<bool>>& covered) {
  std::size_t fresh = 0;
  for (std::size_t i = 0; i < order.size(); ++i)
    for (std::size_t j = i + 1; j < order.size(); ++j)
      if (!covered[order[i]][order[j]]) {
        covered[order[i]][order[j]] = true;
        ++fresh;
      }
  return fresh;
}

}  // namespace

Variant planned_variant(std::size_t deliveries) { return from_order("planned", identity(deliveries)); }

std::vector<std::vector<std::size_t>> pair_covering_orders(std::size_t n, std::uint64_t seed) {
  std::vector<std::vector<bool>> covered(n, std::vector<bool>(n, false));
  cover(identity(n), covered);  // the planned order is tried anyway
  std::vector<std::vector<std::size_t>> out;
  // Random orders cover most pairs quickly; a few of them also mix the
  // deliveries far more than single moves do.
  util::Rng rng(util::derive(seed, n, 0, "explore-orders"));
  for (std::size_t k = 0; k < 2 * n; ++k) {
    std::vector<std::size_t> order = identity(n);
    for (std::size_t i = n; i > 1; --i)
      std::swap(order[i - 1], order[static_cast<std::size_t>(rng.range(0, static_cast<std::int64_t>(i) - 1))]);
    if (cover(order, covered) > 0) out.push_back(std::move(order));
  }
  // Each pair still missing: the planned order with `a` moved just before `b`.
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t b = 0; b < n; ++b) {
      if (a == b || covered[a][b]) continue;
      std::vector<std::size_t> order = identity(n);
      order.erase(order.begin() + static_cast<std::ptrdiff_t>(a));
      order.insert(std::find(order.begin(), order.end(), b), a);
      cover(order, covered);
      out.push_back(std::move(order));
    }
  return out;
}

std::vector<Step> canonical(std::vector<Step> steps) {
  std::vector<Step> out;
  for (Step& step : steps) {
    if (step.copies < 2) step.together = false;
    const bool plain = !step.together && !step.lost_ack;
    if (!out.empty() && out.back().delivery == step.delivery && plain && !out.back().together && !out.back().lost_ack) {
      out.back().copies += step.copies;
      continue;
    }
    out.push_back(step);
  }
  return out;
}

std::vector<Variant> make_variants(const std::vector<std::string>& events, const VariantOptions& options) {
  const std::size_t n = events.size();
  std::vector<Variant> all;
  all.push_back(planned_variant(n));
  const auto each_delivery = [&](const char* kind, const auto& change) {
    for (std::size_t d = 0; d < n; ++d) {
      Variant v = planned_variant(n);
      v.kind = kind;
      if (change(v.steps, d)) all.push_back(std::move(v));
    }
  };
  each_delivery("duplicate", [](std::vector<Step>& steps, std::size_t d) {
    steps[d].copies = 2;
    return true;
  });
  each_delivery("together", [](std::vector<Step>& steps, std::size_t d) {
    steps[d].copies = 2;
    steps[d].together = true;
    return true;
  });
  each_delivery("after_call", [](std::vector<Step>& steps, std::size_t d) {
    steps.push_back({d, 1, false, false});
    return true;
  });
  each_delivery("lost_ack", [&](std::vector<Step>& steps, std::size_t d) {
    if (d >= options.lost_ack.size() || !options.lost_ack[d]) return false;
    steps[d].lost_ack = true;
    return true;
  });
  if (n <= options.exhaustive_up_to) {
    std::vector<std::size_t> order = identity(n);
    while (std::next_permutation(order.begin(), order.end())) all.push_back(from_order("order", order));
  } else {
    for (const auto& order : pair_covering_orders(n, options.seed)) all.push_back(from_order("order", order));
  }
  if (options.drops && n > 1) {
    for (std::size_t d = 0; d < n; ++d) {
      Variant v = planned_variant(n);
      v.kind = "drop";
      v.steps.erase(v.steps.begin() + static_cast<std::ptrdiff_t>(d));
      all.push_back(std::move(v));
    }
  }
  std::set<std::string> seen;
  std::vector<Variant> out;
  for (auto& v : all) {
    v.steps = canonical(std::move(v.steps));
    if (seen.insert(variant_key(events, v.steps)).second) out.push_back(std::move(v));
  }
  return out;
}

std::string variant_key(const std::vector<std::string>& events, const std::vector<Step>& steps) {
  std::string key;
  std::vector<bool> sent(events.size(), false);
  for (const Step& step : steps) {
    if (!key.empty()) key += ',';
    key += events.at(step.delivery);
    if (step.copies > 1) key += '*' + std::to_string(step.copies);
    if (step.together) key += " together";
    if (step.lost_ack) key += " lost_ack";
    if (sent[step.delivery]) key += " again";
    sent[step.delivery] = true;
  }
  return key;
}

}  // namespace callhook::explore
