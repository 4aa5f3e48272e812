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
  // Unix milliseconds now: what a receiver's own clock reads. Only values a
  // receiver checks against its clock use it (signature timestamps, an
  // HTTP-date Retry-After); schedules use now_us().
  virtual std::int64_t unix_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  MonoUs now_us() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  std::int64_t unix_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

class ManualClock final : public Clock {
 public:
  MonoUs now_us() const override { return m_now; }
  // The unix time moves with now_us() from the value set here.
  std::int64_t unix_ms() const override { return m_unix_at_zero_ms + m_now / 1000; }
  void advance_us(MonoUs by) { m_now += by; }
  void set_us(MonoUs to) { m_now = to; }
  void set_unix_at_zero_ms(std::int64_t ms) { m_unix_at_zero_ms = ms; }

 private:
  MonoUs m_now = 0;
  std::int64_t m_unix_at_zero_ms = 1800000000000;  // 2027-01-15T08:00:00Z: far from any scenario epoch
};

}  // namespace callhook::util
