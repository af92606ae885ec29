#pragma once
// The imperative shell of `orders consume`: polls the source topic, feeds each partition's
// decision core (pipeline::PartitionPipeline), writes dead letters, pauses partitions whose head
// record waits for a retry (polling continues, so the member stays in its group), checkpoints
// every partition's aggregate to the compacted aggregates topic and commits finished offsets.
//
// exactly-once: per batch, the dead letters, the checkpoints and the consumed offsets
//   (send_offsets_to_transaction with the group metadata) commit in one Kafka transaction. An
//   abortable error aborts it, rewinds every partition to its last committed checkpoint (seek +
//   restore) and continues; a fatal error (e.g. fenced by another process with the same
//   transactional.id) ends the run with a problem.
// at-least-once: dead letters and checkpoints are written by an idempotent producer; a
//   partition's offset is committed only up to its last acknowledged checkpoint.
// In both modes a newly assigned partition first restores its checkpoint (pipeline/start_plan.h)
// and only then processes records; on revoke its work is committed, then its state dropped.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "kafka/config.h"
#include "pipeline/commit_schedule.h"
#include "pipeline/order_processor.h"
#include "pipeline/partition_pipeline.h"
#include "stats/consumer_report.h"

namespace kafka {

enum class Semantics { exactly_once, at_least_once };
const char* to_string(Semantics s);

struct ConsumeOptions {
  std::string topic = "orders";
  std::string group = "order-processors";
  std::string dlq_topic = "orders-dlq";
  std::string aggregates_topic = "orders-aggregates";
  Semantics semantics = Semantics::exactly_once;
  std::string transactional_id;  // exactly-once only; must be unique among live processes
  Properties consumer_props;     // resolved; group.id is set from `group`
  Properties producer_props;     // DLQ + checkpoints; acks=all + idempotence are enforced
  std::string bootstrap;         // for messages only
  pipeline::PipelineSettings pipeline;
  pipeline::CommitSettings commit;
  // How long a newly assigned partition waits for a checkpoint that lags its committed offset.
  std::chrono::milliseconds restore_grace{5000};
  std::optional<std::uint64_t> max_messages;           // take at most N records, finish them, stop
  std::optional<std::chrono::microseconds> idle_exit;  // stop after this long with nothing to do
  std::chrono::microseconds stats_interval = std::chrono::seconds(10);  // 0: no periodic summary
  bool verbose = false;                                                 // per-order log lines
  std::string host;                                                     // for the dlq.host header
};

struct ConsumeResult {
  stats::ConsumerMetrics metrics;
  // Empty when the run ended cleanly; otherwise what went wrong (undelivered dead letters,
  // failed final commit, fatal client error, fenced). The metrics are still valid.
  std::string problem;
};

// Runs until SIGINT/SIGTERM (util::stop_requested), --max-messages or --idle-exit. Throws
// KafkaException / ConfigError when it cannot start (bad config, broker unreachable).
ConsumeResult run_consume(const ConsumeOptions& options, pipeline::OrderProcessor& processor);

}  // namespace kafka
