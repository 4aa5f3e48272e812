#pragma once
// Wall clocks. The engine asks a Clock for "now" and sleeps through the
// transport; tests use ManualClock so that time moves only when told.
#include <chrono>
#include <cstdint>

namespace callhook::util {

// Microseconds on a monotonic scale; only differences mean anything.
using MonoUs = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual MonoUs now_us() const = 0;
};

class SystemClock final : public Clock {
 public:
  MonoUs now_us() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

class ManualClock final : public Clock {
 public:
  MonoUs now_us() const override { return m_now; }
  void advance_us(MonoUs by) { m_now += by; }
  void set_us(MonoUs to) { m_now = to; }

 private:
  MonoUs m_now = 0;
};

}  // namespace callhook::util
