#include "pipeline/retry_policy.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>

#include "util/backoff.h"

namespace pipeline {

std::chrono::microseconds RetryPolicy::backoff_after(int failed_attempt, double u) const {
  const util::Backoff<std::chrono::microseconds> b{initial_backoff, max_backoff, multiplier,
                                                   jitter};
  return b.delay(std::int64_t{failed_attempt} - 1, u);
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
