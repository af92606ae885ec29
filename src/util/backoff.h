#pragma once
// Capped exponential backoff, the one formula behind every growing wait of the program (a
// record's retries, a failed commit, a replaced producer). The delay after `step` earlier delays
// (step 0: the first) is min(initial * multiplier^step, max). With jitter j in [0, 1] that delay
// is scaled by (1 + j * (2u - 1)) for a u in [0, 1) the caller draws (so tests stay
// deterministic), i.e. spread by +-j, and capped at max again. Computed in double, so any step
// count saturates at the cap instead of overflowing; whole ticks up to 2^53 (in microseconds,
// 285 years) are exact, so a doubling in integers gives the same delays.
#include <chrono>
#include <cstdint>

namespace util {

// The delay in ticks; a negative result (negative settings, full negative jitter) is 0.
std::int64_t backoff_ticks(std::int64_t initial, std::int64_t max, double multiplier, double jitter,
                           std::int64_t step, double u);

template <class Duration>
struct Backoff {
  Duration initial{};
  Duration max{};
  double multiplier = 2.0;  // >= 1 for a growing delay
  double jitter = 0.0;      // in [0, 1]

  // The delay after `step` earlier ones (a negative step counts as 0); `u` in [0, 1) only
  // matters with jitter.
  Duration delay(std::int64_t step, double u = 0.5) const {
    return Duration(backoff_ticks(initial.count(), max.count(), multiplier, jitter, step, u));
  }
};

}  // namespace util
