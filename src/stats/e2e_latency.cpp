#include "stats/e2e_latency.h"

#include <chrono>
#include <nlohmann/json.hpp>

namespace stats {

LatencyPercentiles percentiles(const LatencyHistogram& h) {
  auto at = [&h](double p) { return ns_to_ms(static_cast<double>(h.percentile_ns(p))); };
  return {h.count(), at(50), at(95), at(99), at(99.9), ns_to_ms(static_cast<double>(h.max_ns()))};
}

nlohmann::json to_json(const LatencyPercentiles& p) {
  return {{"count", p.count}, {"p50", p.p50_ms},     {"p95", p.p95_ms},
          {"p99", p.p99_ms},  {"p99.9", p.p999_ms}, {"max", p.max_ms}};
}

std::int64_t wall_clock_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void EndToEndLatency::merge(const EndToEndLatency& other) {
  histogram_.merge(other.histogram_);
  without_timestamp_ += other.without_timestamp_;
}

}  // namespace stats
