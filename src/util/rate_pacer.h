#pragma once
// Absolute-schedule pacing: message i is due at start + i * interval, so sleeping too long once
// is made up by the next sends instead of drifting. Pure (the caller passes the clock reading).
#include <chrono>
#include <cstdint>

namespace util {

class RatePacer {
 public:
  using Clock = std::chrono::steady_clock;

  // Unpaced: every message is due at once.
  RatePacer() = default;
  // `per_second` > 0 messages per second.
  static RatePacer per_second(double per_second);
  // One message every `seconds` (>= 0; 0 is unpaced), like the original's sleep after each order.
  static RatePacer every(double seconds);

  bool paced() const { return seconds_per_message_ > 0; }
  void start(Clock::time_point now) { start_ = now; }
  // How long to wait before sending message number `index` (0-based); zero when it is due.
  std::chrono::nanoseconds wait_before(std::uint64_t index, Clock::time_point now) const;

 private:
  double seconds_per_message_ = 0;
  Clock::time_point start_{};
};

}  // namespace util
