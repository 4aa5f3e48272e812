#include <algorithm>

#include "scenario/scenario.hpp"

namespace callhook::scenario {

double Distribution::sample(util::Rng& rng) const {
  double value = a;
  switch (kind) {
    case Kind::Fixed: break;
    case Kind::Uniform: value = rng.uniform(a, b); break;
    case Kind::Normal: value = rng.normal(a, b); break;
    case Kind::Exponential: value = rng.exponential(a); break;
    case Kind::Lognormal: value = rng.lognormal(a, b); break;
  }
  return std::max(0.0, value);
}

}  // namespace callhook::scenario
