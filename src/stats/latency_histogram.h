#pragma once
// Latency histogram with log-linear buckets (the HdrHistogram layout): values below 2^(kSubBits+1)
// are counted exactly, above that every power-of-two range is split into 2^kSubBits equal buckets,
// so any recorded value is known to within 1/2^kSubBits (< 0.8 %). Fixed memory, O(1) record,
// mergeable across threads/partitions. Values are nanoseconds; count, min, max and sum are exact.
#include <chrono>
#include <cstdint>
#include <vector>

namespace stats {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 7;   // 128 buckets per power of two
  static constexpr int kMaxBits = 43;  // values up to ~2.4 hours in ns
  static constexpr std::uint64_t kMaxTrackable = (std::uint64_t{1} << kMaxBits) - 1;

  LatencyHistogram();

  // Larger values are counted in the top bucket (max stays exact); negative ones count as 0.
  void record(std::chrono::nanoseconds value) { record_ns(value.count() < 0 ? 0 : value.count()); }
  void record_ns(std::uint64_t ns);
  void merge(const LatencyHistogram& other);
  void reset();

  std::uint64_t count() const { return count_; }
  std::uint64_t min_ns() const { return count_ ? min_ : 0; }
  std::uint64_t max_ns() const { return max_; }
  double mean_ns() const { return count_ ? static_cast<double>(sum_) / count_ : 0.0; }
  std::uint64_t sum_ns() const { return sum_; }
  // For each bound (ascending, ns), how many recordings fall at or below it, judged by their
  // bucket's upper edge (exact below 2^(kSubBits+1) ns, within 1/2^kSubBits above): the
  // cumulative buckets of a Prometheus histogram. One pass over the buckets.
  std::vector<std::uint64_t> cumulative_at(const std::vector<std::uint64_t>& bounds_ns) const;
  // The value at or below which `percent` % of the recordings fall (0 < percent <= 100), reported
  // as the upper edge of its bucket, clamped to [min, max]. 0 when empty.
  std::uint64_t percentile_ns(double percent) const;

  static std::size_t bucket_index(std::uint64_t ns);
  static std::uint64_t bucket_upper(std::size_t index);  // largest value mapping to `index`
  static std::size_t bucket_count();

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  // Sum of ns fits in 64 bits for ~5 billion one-hour samples: enough for any run.
  std::uint64_t sum_ = 0;
};

// Milliseconds as a double, for reports.
inline double ns_to_ms(double ns) {
  return ns / 1e6;
}

}  // namespace stats
