#include "util/backoff.h"

#include <algorithm>
#include <cmath>

namespace util {

std::int64_t backoff_ticks(std::int64_t initial, std::int64_t max, double multiplier, double jitter,
                           std::int64_t step, double u) {
  // Nothing to grow (and 0 * inf, a huge step's power, would be NaN).
  if (initial <= 0 || max <= 0) return 0;
  const double cap = static_cast<double>(max);
  double delay = static_cast<double>(initial) *
                 std::pow(multiplier, static_cast<double>(std::max<std::int64_t>(0, step)));
  delay = std::min(delay, cap);
  if (jitter > 0) delay = std::min(delay * (1.0 + jitter * (2.0 * u - 1.0)), cap);
  // At the cap, the cap itself: llround of a cap near INT64_MAX would overflow.
  if (delay >= cap) return max;
  return std::llround(std::max(0.0, delay));
}

}  // namespace util
