#pragma once
#include <stdexcept>

namespace callhook::run {

// An output that cannot be written or a setting that cannot be used; the
// message names the option ("--journal: ..."). Bad input: exit 2.
struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace callhook::run
