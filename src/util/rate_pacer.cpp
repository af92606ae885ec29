#include "util/rate_pacer.h"

#include "util/duration.h"
#include "util/time_left.h"

namespace util {

RatePacer RatePacer::per_second(double per_second) {
  RatePacer p;
  p.seconds_per_message_ = per_second > 0 ? 1.0 / per_second : 0.0;
  return p;
}

RatePacer RatePacer::every(double seconds) {
  RatePacer p;
  p.seconds_per_message_ = seconds > 0 ? seconds : 0.0;
  return p;
}

std::chrono::nanoseconds RatePacer::wait_before(std::uint64_t index, Clock::time_point now) const {
  if (!paced()) return std::chrono::nanoseconds(0);
  // Computed from the index each time (not accumulated) so rounding never adds up.
  // Saturating: an absurd interval (1e300 s, or a rate of 1e-300/s) waits kMaxDuration.
  const double due_seconds = static_cast<double>(index) * seconds_per_message_;
  const auto due = start_ + std::chrono::nanoseconds(from_seconds(due_seconds));
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time_left(due, now));
}

}  // namespace util
