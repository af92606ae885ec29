#pragma once
// Per-record processing latencies and their p50/p99/max. Keeps every sample up to a bound, then
// a uniform reservoir (deterministic), so memory stays small on long runs; max is always exact.
#include <chrono>
#include <cstdint>
#include <vector>

#include "stats/consumer_report.h"

namespace stats {

class LatencySamples {
 public:
  explicit LatencySamples(std::size_t capacity = 1 << 20) : capacity_(capacity) {}
  void add(std::chrono::microseconds d);
  LatencySummary summary() const;
  std::uint64_t count() const { return seen_; }

 private:
  std::size_t capacity_;
  std::vector<std::int64_t> samples_;
  std::uint64_t seen_ = 0;
  std::int64_t max_ = 0;
  std::uint64_t rng_ = 0x9e3779b97f4a7c15ULL;
};

}  // namespace stats
