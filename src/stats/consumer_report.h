#pragma once
// What one `orders consume` run did, as plain data, and its two renderings: the text report
// (the original's CONSUMER METRICS + AGGREGATION RESULTS blocks) and the --json object.
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "stats/aggregate.h"
#include "stats/e2e_latency.h"

namespace stats {

struct LatencySummary {
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

struct ConsumerMetrics {
  std::uint64_t consumed = 0;       // records taken into processing
  std::uint64_t processed = 0;      // processed successfully (aggregated)
  std::uint64_t dead_lettered = 0;  // dead letters acknowledged by the DLQ
  std::map<std::string, std::uint64_t> dead_lettered_by_class;  // every class, zeros included
  std::uint64_t retries = 0;  // retries scheduled (failed attempts that will run again)
  std::uint64_t dead_letter_write_failures = 0;
  std::uint64_t unfinished = 0;       // consumed but not finished at exit (redelivered next time)
  std::uint64_t pending_retries = 0;  // of those, records waiting for a retry at exit
  std::string ordering;               // "key" | "partition" | "none" (empty: not reported)
  // How long after its due time each retry ran (a retry never runs before it).
  LatencySummary retry_lateness;
  std::uint64_t retry_lateness_count = 0;
  // Records finished before a restart (named by the restored checkpoint) and skipped.
  std::uint64_t skipped_on_restore = 0;
  // Partitions whose restored state did not match their log (recreated topic, truncated log)
  // and that started over from the log start (--on-log-mismatch start-over).
  std::uint64_t partitions_started_over = 0;
  // Records deleted from the log (retention, DeleteRecords) before this group read them: the
  // restored or current position was below the log start (pipeline/log_check.h).
  std::uint64_t records_deleted_unread = 0;
  double elapsed_seconds = 0;         // first record consumed -> last record finished
  LatencySummary processing_latency;  // consumed -> processed or dead-lettered
  // Kafka timestamp (produced) -> processed or dead-lettered; recorded as outcomes are decided.
  EndToEndLatency e2e_latency;
  // This run's work. With exactly-once only committed work counts (an aborted batch is done
  // again and counted once); the group-wide totals live in the aggregates topic (`orders stats`).
  Aggregate aggregate;

  // Delivery semantics and checkpointing (empty semantics: not reported).
  std::string semantics;          // "exactly-once" | "at-least-once"
  std::uint64_t reprocessed = 0;  // records processed again that the group had processed
  std::uint64_t transactions_committed = 0;
  std::uint64_t transactions_aborted = 0;
  // In-process replacements of a failed transactional producer (exactly-once; docs/semantics.md).
  // Each attempt logs "Recovering from a failed transactional producer" and ends as one or the
  // other: replaced, or its new producer could not initialize transactions (then the next attempt
  // follows, or the run ends). Failed attempts are counted apart: they are worth an alert of
  // their own.
  std::uint64_t producer_recoveries = 0;
  std::uint64_t producer_recovery_failures = 0;
  std::uint64_t checkpoints_written = 0;  // acknowledged / committed
  std::uint64_t partitions_restored = 0;  // assignments that started from a checkpoint
  LatencySummary commit_latency;          // consumed -> its offset committed

  // processed / (processed + dead_lettered), in [0, 1]; 0 when nothing finished.
  double success_rate() const;
  // Finished records per second over elapsed_seconds.
  double msgs_per_sec() const;
};

// {consumed, processed, dead_lettered, dead_lettered_by_class, retries,
//  dead_letter_write_failures, unfinished, pending_retries, skipped_on_restore,
//  partitions_started_over, records_deleted_unread,
//  retry_lateness_ms: {count, p50, p99, max}, ordering (when set), success_rate, msgs_per_sec,
//  elapsed_seconds, processing_latency_ms: {p50, p99, max}, e2e_latency_ms: {count, p50, p95, p99,
//  p99.9, max}, aggregate: Aggregate::to_json()}
// plus, when `semantics` is set: {semantics, reprocessed, transactions: {committed, aborted},
//  producer_recoveries, producer_recovery_failures, checkpoints_written, partitions_restored,
//  commit_latency_ms: {p50, p99, max}}
nlohmann::json to_json(const ConsumerMetrics& m);

// The final report, one line per fact, ending with a newline.
std::string render_report(const ConsumerMetrics& m);

// The AGGREGATION RESULTS block of the report (title, totals, per product), shared with
// `orders stats`; `extra` lines are added before the closing rule.
std::string render_aggregate_block(const Aggregate& a, const std::string& extra = {});

}  // namespace stats
