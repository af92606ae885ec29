#include "stats/e2e_latency.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "util/wall_clock.h"

namespace stats {

LatencyPercentiles percentiles(const LatencyHistogram& h) {
  auto at = [&h](double p) { return ns_to_ms(static_cast<double>(h.percentile_ns(p))); };
  return {h.count(), at(50), at(95), at(99), at(99.9), ns_to_ms(static_cast<double>(h.max_ns()))};
}

nlohmann::json to_json(const LatencyPercentiles& p) {
  return {{"count", p.count}, {"p50", p.p50_ms},    {"p95", p.p95_ms},
          {"p99", p.p99_ms},  {"p99.9", p.p999_ms}, {"max", p.max_ms}};
}

void EndToEndLatency::record(std::int64_t timestamp_ms,
                             std::chrono::steady_clock::time_point decided_at) {
  using namespace std::chrono;
  if (anchor_wall_us_ == 0 || decided_at - anchor_steady_ > seconds(1) ||
      anchor_steady_ - decided_at > seconds(1)) {
    // Re-read both clocks now and then: the wall clock may be slewed or stepped meanwhile.
    anchor_steady_ = steady_clock::now();
    anchor_wall_us_ = util::wall_us();
  }
  record(timestamp_ms,
         anchor_wall_us_ + duration_cast<microseconds>(decided_at - anchor_steady_).count());
}

void EndToEndLatency::merge(const EndToEndLatency& other) {
  histogram_.merge(other.histogram_);
  without_timestamp_ += other.without_timestamp_;
}

}  // namespace stats
