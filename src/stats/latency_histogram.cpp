#include "stats/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace stats {
namespace {

constexpr std::uint64_t kSubCount = std::uint64_t{1} << LatencyHistogram::kSubBits;

}  // namespace

// Index layout: for v < 2*kSubCount the index is v itself. Otherwise, with `shift` the number of
// low bits dropped so that the top part lands in [kSubCount, 2*kSubCount), the index is
// kSubCount*shift + (v >> shift). Consecutive powers of two thus get kSubCount buckets each.
std::size_t LatencyHistogram::bucket_index(std::uint64_t ns) {
  ns = std::min(ns, kMaxTrackable);
  const int msb = 63 - std::countl_zero(ns | 1);
  const int shift = std::max(msb - kSubBits, 0);
  return static_cast<std::size_t>(kSubCount * static_cast<std::uint64_t>(shift) + (ns >> shift));
}

std::uint64_t LatencyHistogram::bucket_upper(std::size_t index) {
  if (index < 2 * kSubCount) return index;
  const std::uint64_t shift = index / kSubCount - 1;
  const std::uint64_t top = index - kSubCount * shift;
  return ((top + 1) << shift) - 1;
}

std::size_t LatencyHistogram::bucket_count() {
  return bucket_index(kMaxTrackable) + 1;
}

LatencyHistogram::LatencyHistogram() : counts_(bucket_count(), 0) {}

void LatencyHistogram::record_ns(std::uint64_t ns) {
  ++counts_[bucket_index(ns)];
  ++count_;
  sum_ += ns;
  min_ = std::min(min_, ns);
  max_ = std::max(max_, ns);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void LatencyHistogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = sum_ = max_ = 0;
  min_ = UINT64_MAX;
}

std::uint64_t LatencyHistogram::percentile_ns(double percent) const {
  if (count_ == 0) return 0;
  percent = std::clamp(percent, 0.0, 100.0);
  // Nearest-rank: the smallest value with at least ceil(p * n) recordings at or below it.
  auto rank = static_cast<std::uint64_t>(std::ceil(percent / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen < rank) continue;
    if (i + 1 == counts_.size()) return max_;  // the overflow bucket: only max is known
    return std::clamp(bucket_upper(i), min_, max_);
  }
  return max_;
}

std::vector<std::uint64_t> LatencyHistogram::cumulative_at(
    const std::vector<std::uint64_t>& bounds_ns) const {
  std::vector<std::uint64_t> out(bounds_ns.size(), 0);
  std::uint64_t seen = 0;
  std::size_t b = 0;
  for (std::size_t i = 0; i < counts_.size() && b < bounds_ns.size(); ++i) {
    while (b < bounds_ns.size() && bucket_upper(i) > bounds_ns[b]) out[b++] = seen;
    seen += counts_[i];
  }
  for (; b < bounds_ns.size(); ++b) out[b] = seen;
  return out;
}

}  // namespace stats
