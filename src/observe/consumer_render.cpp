#include "observe/consumer_render.h"

#include <nlohmann/json.hpp>

#include "dlq/printable.h"
#include "observe/json_text.h"
#include "stats/e2e_latency.h"

namespace observe {

std::optional<std::int64_t> PartitionView::lag() const {
  if (!committed || !log_end || *committed < 0 || *log_end < 0) return std::nullopt;
  // Negative when the committed offset is beyond the log's end (a truncated or recreated log):
  // shown as it is, never clamped to 0, which would read as "caught up".
  return *log_end - *committed;
}

namespace {

using nlohmann::json;

void write_counters(Exposition& out, const ConsumerSnapshot& s) {
  const auto& m = s.totals;
  out.counter("orders_consumer_records_consumed_total", "Records taken into processing",
              m.consumed);
  out.counter("orders_consumer_records_processed_total",
              "Records processed successfully and committed (as the --json report counts them)",
              m.processed);
  out.family("orders_consumer_dead_letters_total", "counter",
             "Records dead-lettered and committed, by error class");
  for (const auto& [cls, n] : m.dead_lettered_by_class) {
    out.sample("orders_consumer_dead_letters_total", {{"class", cls}}, n);
  }
  out.counter("orders_consumer_retries_total", "Retries scheduled (failed attempts run again)",
              m.retries);
  out.counter("orders_consumer_dead_letter_write_failures_total",
              "Dead letters the DLQ did not acknowledge", m.dead_letter_write_failures);
  out.counter("orders_consumer_records_skipped_on_restore_total",
              "Records finished before a restart and skipped", m.skipped_on_restore);
  out.counter("orders_consumer_partitions_started_over_total",
              "Partitions whose restored state did not match their log, started over",
              m.partitions_started_over);
  out.counter("orders_consumer_records_deleted_unread_total",
              "Records deleted from the log (retention) before they were read",
              m.records_deleted_unread);
  out.counter("orders_consumer_records_reprocessed_total",
              "Records processed again that the group had processed", m.reprocessed);
  out.family("orders_consumer_transactions_total", "counter",
             "Kafka transactions (exactly-once), by outcome");
  out.sample("orders_consumer_transactions_total", {{"outcome", "committed"}},
             m.transactions_committed);
  out.sample("orders_consumer_transactions_total", {{"outcome", "aborted"}},
             m.transactions_aborted);
  out.family("orders_consumer_producer_recoveries_total", "counter",
             "In-process replacements of a failed transactional producer (exactly-once), by "
             "outcome");
  out.sample("orders_consumer_producer_recoveries_total", {{"outcome", "replaced"}},
             m.producer_recoveries);
  out.sample("orders_consumer_producer_recoveries_total", {{"outcome", "failed"}},
             m.producer_recovery_failures);
  out.counter("orders_consumer_checkpoints_written_total", "Aggregate checkpoints made durable",
              m.checkpoints_written);
  out.counter("orders_consumer_partitions_restored_total",
              "Assignments that started from a checkpoint", m.partitions_restored);
}

void write_partitions(Exposition& out, const ConsumerSnapshot& s) {
  std::size_t paused = 0;
  std::map<std::string, std::size_t> by_state = {
      {"restoring", 0}, {"restore-wait", 0}, {"running", 0}, {"retrying", 0}, {"halted", 0}};
  for (const auto& p : s.partitions) {
    paused += p.paused ? 1 : 0;
    ++by_state[p.state];
  }
  out.gauge("orders_consumer_partitions_assigned", "Partitions assigned to this consumer",
            static_cast<double>(s.partitions.size()));
  out.gauge("orders_consumer_partitions_paused", "Assigned partitions whose fetching is paused",
            static_cast<double>(paused));
  out.family("orders_consumer_partitions", "gauge", "Assigned partitions by state");
  for (const auto& [state, n] : by_state) {
    out.sample("orders_consumer_partitions", {{"state", state}}, static_cast<double>(n));
  }
  auto per_partition = [&](const char* name, const char* help, bool group, auto value) {
    out.family(name, "gauge", help);
    for (const auto& p : s.partitions) {
      const auto v = value(p);
      if (!v) continue;
      Labels l;
      if (group) l.emplace_back("consumergroup", s.group);
      l.emplace_back("topic", s.topic);
      l.emplace_back("partition", std::to_string(p.partition));
      out.sample(name, l, static_cast<double>(*v));
    }
  };
  per_partition("kafka_consumergroup_lag",
                "Records between the committed offset and the log end (last stable offset)", true,
                [](const PartitionView& p) { return p.lag(); });
  per_partition("kafka_consumergroup_current_offset",
                "The group's committed offset (its durable checkpoint)", true,
                [](const PartitionView& p) { return p.committed; });
  per_partition("kafka_topic_partition_current_offset",
                "The partition's log end (last stable offset) as last fetched", false,
                [](const PartitionView& p) { return p.log_end; });
}

void write_gauges(Exposition& out, const ConsumerSnapshot& s) {
  out.gauge("orders_consumer_ready", "1 once partitions are assigned and restored, 0 otherwise",
            s.ready ? 1 : 0);
  out.gauge("orders_consumer_records_in_flight", "Records taken in and not finished",
            static_cast<double>(s.in_flight));
  out.gauge("orders_consumer_records_waiting_retry", "Records waiting for a retry",
            static_cast<double>(s.retries_waiting));
  out.gauge("orders_consumer_dead_letters_in_flight", "Dead letters sent, not yet acknowledged",
            static_cast<double>(s.dead_letters_in_flight));
  const auto& a = s.totals.aggregate;
  out.gauge("orders_consumer_aggregate_orders", "Orders in this run's committed aggregate",
            static_cast<double>(a.count()));
  out.gauge("orders_consumer_aggregate_revenue_dollars",
            "Revenue of this run's committed aggregate (exact cents / 100)",
            static_cast<double>(a.revenue_cents()) / 100.0);
}

void write_histograms(Exposition& out, const ConsumerSnapshot& s) {
  auto one = [&](const char* name, const char* help, const stats::LatencyHistogram& h) {
    out.family(name, "histogram", help);
    out.histogram(name, {}, h);
  };
  one("orders_consumer_processing_duration_seconds",
      "Consumed to processed or dead-lettered, retries included", s.processing);
  one("orders_consumer_end_to_end_latency_seconds",
      "Kafka timestamp (produced) to processed or dead-lettered", s.totals.e2e_latency.histogram());
  one("orders_consumer_commit_latency_seconds", "Consumed to its offset committed", s.commit);
  one("orders_consumer_retry_lateness_seconds", "How long after its due time a retry ran",
      s.retry_lateness);
}

json latency(const stats::LatencyHistogram& h) {
  return to_json(stats::percentiles(h));
}

json partition_json(const PartitionView& p) {
  auto opt = [](const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); };
  return {{"partition", p.partition},
          {"state", p.state},
          {"paused", p.paused},
          {"committed", opt(p.committed)},
          {"log_end", opt(p.log_end)},
          {"lag", opt(p.lag())},
          {"in_flight", p.in_flight},
          {"retries_waiting", p.retries_waiting},
          {"aggregate_count", p.aggregate_count}};
}

json dead_letter_json(const DeadLetterView& d) {
  return {{"at_ms", d.at_ms},
          {"partition", d.partition},
          {"offset", d.offset},
          {"key", dlq::printable(d.key)},
          {"order_id", dlq::printable(d.order_id)},
          {"class", d.error_class},
          {"reason", dlq::printable(d.reason)},
          {"attempts", d.attempts}};
}

json counters_json(const ConsumerSnapshot& s) {
  const auto& m = s.totals;
  return {{"consumed", m.consumed},
          {"processed", m.processed},
          {"dead_lettered", m.dead_lettered},
          {"dead_lettered_by_class", m.dead_lettered_by_class},
          {"retries", m.retries},
          {"dead_letter_write_failures", m.dead_letter_write_failures},
          {"skipped_on_restore", m.skipped_on_restore},
          {"partitions_started_over", m.partitions_started_over},
          {"records_deleted_unread", m.records_deleted_unread},
          {"reprocessed", m.reprocessed},
          {"transactions_committed", m.transactions_committed},
          {"transactions_aborted", m.transactions_aborted},
          {"producer_recoveries", m.producer_recoveries},
          {"producer_recovery_failures", m.producer_recovery_failures},
          {"checkpoints_written", m.checkpoints_written},
          {"decided_processed", s.decided_processed},
          {"decided_dead_lettered", s.decided_dead_lettered}};
}

}  // namespace

std::string render_consumer_metrics(const ConsumerSnapshot& s) {
  Exposition out;
  out.family("orders_build_info", "gauge", "Version of orders and librdkafka; always 1");
  out.sample("orders_build_info",
             {{"version", s.build.version}, {"librdkafka", s.build.librdkafka}}, 1.0);
  write_counters(out, s);
  write_gauges(out, s);
  write_partitions(out, s);
  write_histograms(out, s);
  write_rdkafka_metrics(out, s.clients);
  return out.take();
}

std::string render_consumer_state(const ConsumerSnapshot& s) {
  json parts = json::array(), letters = json::array(), history = json::array();
  for (const auto& p : s.partitions) parts.push_back(partition_json(p));
  for (const auto& d : s.recent_dead_letters) letters.push_back(dead_letter_json(d));
  for (const auto& h : s.history) history.push_back({h.at_ms, h.consumed, h.finished});
  json j = {{"kind", "consumer"},
            {"version", s.build.version},
            {"topic", s.topic},
            {"group", s.group},
            {"dlq_topic", s.dlq_topic},
            {"semantics", s.totals.semantics},
            {"ordering", s.totals.ordering},
            {"at_ms", s.at_ms},
            {"uptime_seconds", s.uptime_seconds},
            {"ready", s.ready},
            {"stopping", s.stopping},
            {"counters", counters_json(s)},
            {"in_flight", s.in_flight},
            {"retries_waiting", s.retries_waiting},
            {"dead_letters_in_flight", s.dead_letters_in_flight},
            {"latency_ms",
             {{"processing", latency(s.processing)},
              {"end_to_end", latency(s.totals.e2e_latency.histogram())},
              {"commit", latency(s.commit)},
              {"retry_lateness", latency(s.retry_lateness)}}},
            {"aggregate", s.totals.aggregate.to_json()},
            {"partitions", std::move(parts)},
            {"dead_letters", std::move(letters)},
            {"history", std::move(history)}};
  return dump_json(j);
}

}  // namespace observe
