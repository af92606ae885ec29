#pragma once
// End-to-end latency of consumed records: from the record's Kafka timestamp (CreateTime, set by
// the producer when the record was produced) to the moment the consumer decided its outcome
// (processed, or dead-lettered). Both ends are wall-clock readings, possibly on different hosts:
// the figure includes their clock offset. Kafka timestamps have millisecond resolution, so each
// value may read up to 1 ms high (0.5 ms on average); a value below 0 (skew) counts as 0.
#include <chrono>
#include <cstdint>
#include <limits>
#include <nlohmann/json_fwd.hpp>

#include "stats/latency_histogram.h"

namespace stats {

struct LatencyPercentiles {
  std::uint64_t count = 0;
  double p50_ms = 0;
  double p95_ms = 0;
  double p99_ms = 0;
  double p999_ms = 0;
  double max_ms = 0;
  bool operator==(const LatencyPercentiles&) const = default;
};

LatencyPercentiles percentiles(const LatencyHistogram& h);
// {count, p50, p95, p99, "p99.9", max} in milliseconds.
nlohmann::json to_json(const LatencyPercentiles& p);

class EndToEndLatency {
 public:
  // `timestamp_ms` < 0 (the record has none) is not counted.
  void record(std::int64_t timestamp_ms, std::int64_t decided_at_us) {
    if (timestamp_ms < 0) {
      ++without_timestamp_;
      return;
    }
    // The timestamp is whatever the producer sent: one after the decision (x1000 could overflow)
    // is clock skew, and an absurdly old one saturates instead of wrapping.
    const std::int64_t us =
        timestamp_ms > decided_at_us / 1000 ? 0 : decided_at_us - timestamp_ms * 1000;
    constexpr std::int64_t kMaxUs = std::numeric_limits<std::int64_t>::max() / 1000;
    if (us <= 0) {
      histogram_.record_ns(0);
    } else {
      histogram_.record_ns(us > kMaxUs ? std::numeric_limits<std::uint64_t>::max()
                                       : static_cast<std::uint64_t>(us) * 1000);
    }
  }
  // The same with the decision time on the monotonic clock, as the consume loop has it: mapped
  // to wall-clock time through an anchor pair read at most once a second, so a record costs no
  // clock read of its own.
  void record(std::int64_t timestamp_ms, std::chrono::steady_clock::time_point decided_at);
  void merge(const EndToEndLatency& other);

  LatencyPercentiles summary() const { return percentiles(histogram_); }
  std::uint64_t without_timestamp() const { return without_timestamp_; }
  const LatencyHistogram& histogram() const { return histogram_; }

 private:
  LatencyHistogram histogram_;
  std::uint64_t without_timestamp_ = 0;
  std::chrono::steady_clock::time_point anchor_steady_{};
  std::int64_t anchor_wall_us_ = 0;
};

}  // namespace stats
