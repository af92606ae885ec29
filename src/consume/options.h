#pragma once
// What one `orders consume` run is told (the CLI fills it) and what it reports back.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kafka/config.h"
#include "observe/listen_address.h"
#include "pipeline/commit_schedule.h"
#include "pipeline/partition_pipeline.h"
#include "stats/consumer_report.h"

namespace consume {

enum class Semantics { exactly_once, at_least_once };
// What a partition does when the state restored for it does not match its log (a recreated
// topic, a truncated log; pipeline/log_check.h): end the run (exit 1), or start the partition
// over from its log start with an empty aggregate.
enum class LogMismatch { fail, start_over };
const char* to_string(Semantics s);  // "exactly-once" / "at-least-once"

struct ConsumeOptions {
  std::string topic = "orders";
  std::string group = "order-processors";
  std::string dlq_topic = "orders-dlq";
  std::string aggregates_topic = "orders-aggregates";
  Semantics semantics = Semantics::exactly_once;
  std::string transactional_id;      // exactly-once only; must be unique among live processes
  kafka::Properties consumer_props;  // resolved; group.id is set from `group`
  kafka::Properties producer_props;  // DLQ + checkpoints; acks=all + idempotence are enforced
  std::string bootstrap;             // for messages only
  pipeline::PipelineSettings pipeline;
  pipeline::CommitSettings commit;
  // How long a newly assigned partition waits for a checkpoint that lags its committed offset.
  std::chrono::milliseconds restore_grace{5000};
  LogMismatch on_log_mismatch = LogMismatch::fail;
  std::optional<std::uint64_t> max_messages;           // take at most N records, finish them, stop
  std::optional<std::chrono::microseconds> idle_exit;  // stop after this long with nothing to do
  std::chrono::microseconds stats_interval = std::chrono::seconds(10);  // 0: no periodic summary
  bool verbose = false;                                                 // per-order log lines
  std::string host;                                                     // for the dlq.host header
  // --http: serve /metrics, /healthz, /readyz, /api/state and the dashboard there.
  std::optional<observe::ListenAddress> http;
  std::vector<std::string> http_allow_hosts;  // --http-allow-host: more names for the Host rule
  // Test hook: this partition is paused once behind the pipeline's back when it starts, as a
  // fetcher that never resumes would look (the stall watchdog's integration test).
  std::optional<std::int32_t> test_stall_partition;
};

struct ConsumeResult {
  stats::ConsumerMetrics metrics;
  // Empty when the run ended cleanly; otherwise what went wrong (undelivered dead letters,
  // failed final commit, fatal client error, fenced). The metrics are still valid.
  std::string problem;
};

}  // namespace consume
