#pragma once
#include <stdexcept>

namespace callhook::run {

// A resource the run needs that the system would not give now (a thread, a
// port, a file): not bad input, and not the run's fault; serve answers 503.
struct Unavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace callhook::run
