#pragma once
// What `orders consume` shows on /metrics, /api/state and its dashboard: an immutable copy of the
// run's figures, taken by the consume loop at most a few times a second and rendered by the HTTP
// threads (consumer_render.h). Plain data; nothing here touches Kafka.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "observe/rdkafka_stats.h"
#include "stats/consumer_report.h"
#include "stats/latency_histogram.h"

namespace observe {

struct BuildInfo {
  std::string version;
  std::string librdkafka;
};

struct PartitionView {
  std::int32_t partition = 0;
  std::string state;  // "restoring", "restore-wait", "running", "retrying", "halted"
  bool paused = false;
  std::optional<std::int64_t> committed{};  // the durable checkpoint's offset (next to process)
  std::optional<std::int64_t> log_end{};    // last stable offset, as librdkafka last saw it
  std::uint64_t in_flight = 0;              // taken in, not finished
  std::uint64_t retries_waiting = 0;
  std::uint64_t aggregate_count = 0;  // the partition's aggregate (restored + this run)

  // log_end - committed, when both are known (never negative).
  std::optional<std::int64_t> lag() const;
};

struct DeadLetterView {
  std::int64_t at_ms = 0;  // wall clock, when decided
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string key;  // untrusted bytes, as received (rendering escapes them)
  std::string order_id;
  std::string error_class;
  std::string reason;
  int attempts = 0;
};

// One point of the throughput chart.
struct RatePoint {
  std::int64_t at_ms = 0;
  std::uint64_t consumed = 0;
  std::uint64_t finished = 0;  // processed + dead-lettered, committed or not
};

struct ConsumerSnapshot {
  BuildInfo build;
  std::string topic;
  std::string group;
  std::string dlq_topic;
  std::int64_t at_ms = 0;
  double uptime_seconds = 0;
  bool ready = false;     // partitions assigned and restored, not stopping
  bool stopping = false;  // the run is ending
  // Counters of committed work (as the --json report counts it) and the aggregate.
  stats::ConsumerMetrics totals;
  // Decided work, committed or not: what the terminal summary shows.
  std::uint64_t decided_processed = 0;
  std::uint64_t decided_dead_lettered = 0;
  std::uint64_t in_flight = 0;  // consumed, not finished
  std::uint64_t retries_waiting = 0;
  std::uint64_t dead_letters_in_flight = 0;
  stats::LatencyHistogram processing;
  stats::LatencyHistogram commit;
  stats::LatencyHistogram retry_lateness;
  std::vector<PartitionView> partitions;
  std::vector<DeadLetterView> recent_dead_letters;  // newest last
  std::vector<RatePoint> history;                   // oldest first, about one a second
  std::vector<RdkafkaStats> clients;
};

}  // namespace observe
