#include "stats/latency_samples.h"

#include <algorithm>

namespace stats {

void LatencySamples::add(std::chrono::microseconds d) {
  const std::int64_t us = std::max<std::int64_t>(0, d.count());
  max_ = std::max(max_, us);
  ++seen_;
  if (samples_.size() < capacity_) {
    samples_.push_back(us);
    return;
  }
  // Reservoir sampling (algorithm R) with a xorshift generator: no global RNG state.
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 7;
  rng_ ^= rng_ << 17;
  const std::uint64_t slot = rng_ % seen_;
  if (slot < capacity_) samples_[slot] = us;
}

LatencySummary LatencySamples::summary() const {
  LatencySummary s;
  if (samples_.empty()) return s;
  std::vector<std::int64_t> sorted = samples_;
  std::sort(sorted.begin(), sorted.end());
  // Nearest-rank percentiles.
  auto rank = [&](double q) {
    std::size_t i = static_cast<std::size_t>(q * static_cast<double>(sorted.size()) + 0.999999);
    return sorted[std::clamp<std::size_t>(i, 1, sorted.size()) - 1];
  };
  s.p50_ms = static_cast<double>(rank(0.50)) / 1000.0;
  s.p99_ms = static_cast<double>(rank(0.99)) / 1000.0;
  s.max_ms = static_cast<double>(max_) / 1000.0;
  return s;
}

}  // namespace stats
