#pragma once
// Exponential backoff (util::Backoff). Attempt 1 runs immediately; after failed attempt n
// (n >= 1) the next one waits min(initial * multiplier^(n-1), max). With jitter j in [0, 1] that
// delay is scaled by (1 + j * (2u - 1)) for a deterministic u in [0, 1), i.e. spread by +-j, and
// capped at max again. After max_attempts failed attempts the record is dead-lettered.
#include <chrono>
#include <optional>
#include <string>

namespace pipeline {

struct RetryPolicy {
  int max_attempts = 3;
  std::chrono::microseconds initial_backoff = std::chrono::seconds(1);
  double multiplier = 2.0;
  std::chrono::microseconds max_backoff = std::chrono::seconds(30);
  double jitter = 0.0;

  // Delay before attempt `failed_attempt + 1`; `u` in [0, 1) only matters with jitter.
  std::chrono::microseconds backoff_after(int failed_attempt, double u = 0.5) const;
  // A message naming the bad setting, or nullopt when the policy is usable.
  std::optional<std::string> check() const;
};

}  // namespace pipeline
