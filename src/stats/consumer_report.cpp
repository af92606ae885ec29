#include "stats/consumer_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "util/printable.h"

namespace stats {

double ConsumerMetrics::success_rate() const {
  const auto finished = processed + dead_lettered;
  return finished == 0 ? 0.0 : static_cast<double>(processed) / static_cast<double>(finished);
}

double ConsumerMetrics::msgs_per_sec() const {
  const auto finished = processed + dead_lettered;
  return elapsed_seconds <= 0 ? 0.0 : static_cast<double>(finished) / elapsed_seconds;
}

namespace {

nlohmann::json latency_json(const LatencySummary& l) {
  return {{"p50", l.p50_ms}, {"p99", l.p99_ms}, {"max", l.max_ms}};
}

}  // namespace

nlohmann::json to_json(const ConsumerMetrics& m) {
  nlohmann::json by_class = nlohmann::json::object();
  for (const auto& [cls, n] : m.dead_lettered_by_class) by_class[cls] = n;
  nlohmann::json j = {{"consumed", m.consumed},
                      {"processed", m.processed},
                      {"dead_lettered", m.dead_lettered},
                      {"dead_lettered_by_class", std::move(by_class)},
                      {"retries", m.retries},
                      {"dead_letter_write_failures", m.dead_letter_write_failures},
                      {"unfinished", m.unfinished},
                      {"pending_retries", m.pending_retries},
                      {"skipped_on_restore", m.skipped_on_restore},
                      {"partitions_started_over", m.partitions_started_over},
                      {"records_deleted_unread", m.records_deleted_unread},
                      {"success_rate", m.success_rate()},
                      {"msgs_per_sec", m.msgs_per_sec()},
                      {"elapsed_seconds", m.elapsed_seconds},
                      {"processing_latency_ms", latency_json(m.processing_latency)},
                      {"e2e_latency_ms", to_json(m.e2e_latency.summary())},
                      {"aggregate", m.aggregate.to_json()}};
  auto lateness = latency_json(m.retry_lateness);
  lateness["count"] = m.retry_lateness_count;
  j["retry_lateness_ms"] = std::move(lateness);
  if (!m.ordering.empty()) j["ordering"] = m.ordering;
  if (!m.semantics.empty()) {
    j["semantics"] = m.semantics;
    j["reprocessed"] = m.reprocessed;
    j["transactions"] = {{"committed", m.transactions_committed},
                         {"aborted", m.transactions_aborted}};
    j["producer_recoveries"] = m.producer_recoveries;
    j["producer_recovery_failures"] = m.producer_recovery_failures;
    j["checkpoints_written"] = m.checkpoints_written;
    j["partitions_restored"] = m.partitions_restored;
    j["commit_latency_ms"] = latency_json(m.commit_latency);
  }
  return j;
}

std::string render_report(const ConsumerMetrics& m) {
  const std::string rule(70, '=');
  std::string out;
  auto line = [&out](std::string s) {
    out += s;
    out += '\n';
  };
  line(rule);
  line("CONSUMER METRICS");
  line(rule);
  line(fmt::format("Messages consumed: {}", m.consumed));
  line(fmt::format("Messages processed successfully: {}", m.processed));
  line(fmt::format("Messages failed: {}", m.dead_lettered));
  line(fmt::format("Messages sent to DLQ: {}", m.dead_lettered));
  for (const auto& [cls, n] : m.dead_lettered_by_class) line(fmt::format("  - {}: {}", cls, n));
  if (m.dead_letter_write_failures > 0) {
    line(fmt::format("DLQ write failures: {}", m.dead_letter_write_failures));
  }
  if (m.unfinished > 0) {
    line(fmt::format("Unfinished at exit (not committed, redelivered next run): {}", m.unfinished));
  }
  line(fmt::format("Total retries: {}", m.retries));
  if (m.retry_lateness_count > 0) {
    line(
        fmt::format("Retry lateness: p50 {:.2f}ms, p99 {:.2f}ms, max {:.2f}ms (start - due, {} "
                    "retries)",
                    m.retry_lateness.p50_ms, m.retry_lateness.p99_ms, m.retry_lateness.max_ms,
                    m.retry_lateness_count));
  } else {
    line("Retry lateness: n/a (no retries ran)");
  }
  line(fmt::format("Pending retries at exit: {}", m.pending_retries));
  if (!m.ordering.empty()) line(fmt::format("Ordering: {}", m.ordering));
  if (m.skipped_on_restore > 0) {
    line(fmt::format("Skipped (finished before a restart): {}", m.skipped_on_restore));
  }
  if (m.partitions_started_over > 0) {
    line(fmt::format("Partitions started over (state did not match the log): {}",
                     m.partitions_started_over));
  }
  if (m.records_deleted_unread > 0) {
    line(fmt::format("Records deleted from the log before they were read: {}",
                     m.records_deleted_unread));
  }
  line(fmt::format("Success rate: {:.2f}%", m.success_rate() * 100.0));
  line(fmt::format("Throughput: {:.1f} msg/s", m.msgs_per_sec()));
  line(fmt::format("Processing latency: p50 {:.2f}ms, p99 {:.2f}ms, max {:.2f}ms",
                   m.processing_latency.p50_ms, m.processing_latency.p99_ms,
                   m.processing_latency.max_ms));
  if (const auto e2e = m.e2e_latency.summary(); e2e.count > 0) {
    line(fmt::format(
        "End-to-end latency (produced -> decided): p50 {:.2f}ms, p95 {:.2f}ms, p99 {:.2f}ms, "
        "p99.9 {:.2f}ms, max {:.2f}ms",
        e2e.p50_ms, e2e.p95_ms, e2e.p99_ms, e2e.p999_ms, e2e.max_ms));
  } else {
    line("End-to-end latency (produced -> decided): n/a");
  }
  if (m.e2e_latency.without_timestamp() > 0) {
    line(fmt::format("  (records without a Kafka timestamp, not counted: {})",
                     m.e2e_latency.without_timestamp()));
  }
  if (!m.semantics.empty()) {
    line(fmt::format("Semantics: {}", m.semantics));
    if (m.semantics == "exactly-once") {
      line(fmt::format("Transactions: {} committed, {} aborted", m.transactions_committed,
                       m.transactions_aborted));
      line(fmt::format("Producer recoveries: {} (failed attempts: {})", m.producer_recoveries,
                       m.producer_recovery_failures));
    }
    line(fmt::format("Checkpoints written: {} (partitions restored from one: {})",
                     m.checkpoints_written, m.partitions_restored));
    line(fmt::format("Re-processed (already processed by the group): {}", m.reprocessed));
    line(fmt::format("Commit latency: p50 {:.2f}ms, p99 {:.2f}ms, max {:.2f}ms",
                     m.commit_latency.p50_ms, m.commit_latency.p99_ms, m.commit_latency.max_ms));
  }
  out += render_aggregate_block(m.aggregate);
  return out;
}

std::string render_aggregate_block(const Aggregate& a, const std::string& extra) {
  const std::string rule(70, '=');
  std::string out;
  auto line = [&out](std::string s) {
    out += s;
    out += '\n';
  };
  line(rule);
  line("AGGREGATION RESULTS");
  line(rule);
  line(fmt::format("Total orders aggregated: {}", a.count()));
  if (!a.empty()) {
    line(fmt::format("Running average price: {}", format_dollars(a.avg())));
    line(fmt::format("Min price: {}", format_dollars(*a.min())));
    line(fmt::format("Max price: {}", format_dollars(*a.max())));
  }
  line(fmt::format("Total revenue: {}{}", format_cents(a.revenue_cents()),
                   a.revenue_saturated() ? " (saturated: the true total is larger)" : ""));
  if (!a.by_product().empty()) {
    // Product names are whatever the orders said: escaped (util/printable.h).
    std::size_t width = 7;
    for (const auto& [name, t] : a.by_product()) {
      width = std::max(width, util::printable(name).size());
    }
    width = std::min<std::size_t>(width, 40);
    line("By product:");
    for (const auto& [name, t] : a.by_product()) {
      line(fmt::format("  {:<{}}  count {:>7}  revenue {:>15}  avg {:>12}", util::printable(name),
                       width, t.count, format_cents(t.revenue_cents), format_dollars(t.avg())));
    }
  }
  if (a.other().count > 0) {
    // Orders of products beyond the aggregate's bound (stats/aggregate.h), not a product name.
    const auto& o = a.other();
    line(fmt::format("  (other products)  count {:>7}  revenue {:>15}  avg {:>12}", o.count,
                     format_cents(o.revenue_cents), format_dollars(o.avg())));
  }
  out += extra;
  line(rule);
  return out;
}

}  // namespace stats
