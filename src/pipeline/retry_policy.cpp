#include "pipeline/retry_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace pipeline {

std::chrono::microseconds RetryPolicy::backoff_after(int failed_attempt, double u) const {
  const double cap = static_cast<double>(max_backoff.count());
  // In double so that large exponents saturate at the cap instead of overflowing.
  double delay = static_cast<double>(initial_backoff.count()) *
                 std::pow(multiplier, std::max(0, failed_attempt - 1));
  delay = std::min(delay, cap);
  if (jitter > 0) delay = std::min(delay * (1.0 + jitter * (2.0 * u - 1.0)), cap);
  return std::chrono::microseconds(static_cast<std::int64_t>(std::llround(std::max(0.0, delay))));
}

std::optional<std::string> RetryPolicy::check() const {
  if (max_attempts < 1) return fmt::format("max attempts must be >= 1 (got {})", max_attempts);
  if (!std::isfinite(multiplier) || multiplier < 1.0) {
    return fmt::format("backoff multiplier must be >= 1 (got {})", multiplier);
  }
  if (!std::isfinite(jitter) || jitter < 0.0 || jitter > 1.0) {
    return fmt::format("jitter must be between 0 and 1 (got {})", jitter);
  }
  if (initial_backoff.count() < 0 || max_backoff.count() < 0) return "backoff must not be negative";
  return std::nullopt;
}

}  // namespace pipeline
