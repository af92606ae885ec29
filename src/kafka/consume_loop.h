#pragma once
// The imperative shell of `orders consume`: polls the source topic, feeds each partition's
// decision core (pipeline::PartitionPipeline), writes dead letters, pauses partitions whose head
// record waits for a retry (polling continues, so the member stays in its group), and commits
// finished offsets: asynchronously in batches, synchronously on revoke and on shutdown.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "kafka/config.h"
#include "pipeline/order_processor.h"
#include "pipeline/partition_pipeline.h"
#include "stats/consumer_report.h"

namespace kafka {

struct ConsumeOptions {
  std::string topic = "orders";
  std::string group = "order-processors";
  std::string dlq_topic = "orders-dlq";
  Properties consumer_props;  // resolved; group.id is set from `group`
  Properties producer_props;  // for the DLQ producer; acks=all + idempotence are enforced
  std::string bootstrap;      // for messages only
  pipeline::PipelineSettings pipeline;
  std::optional<std::uint64_t> max_messages;          // take at most N records, finish them, stop
  std::optional<std::chrono::microseconds> idle_exit;  // stop after this long with nothing to do
  std::chrono::microseconds stats_interval = std::chrono::seconds(10);  // 0: no periodic summary
  std::chrono::milliseconds commit_interval{1000};
  bool verbose = false;  // per-order log lines
  std::string host;      // for the dlq.host header
};

struct ConsumeResult {
  stats::ConsumerMetrics metrics;
  // Empty when the run ended cleanly; otherwise what went wrong (undelivered dead letters,
  // failed final commit, fatal client error). The metrics are still valid.
  std::string problem;
};

// Runs until SIGINT/SIGTERM (util::stop_requested), --max-messages or --idle-exit. Throws
// KafkaException / ConfigError when it cannot start (bad config, broker unreachable).
ConsumeResult run_consume(const ConsumeOptions& options, pipeline::OrderProcessor& processor);

}  // namespace kafka
