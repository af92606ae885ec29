#include "stats/produce_report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace stats {
namespace {

double ms(double ns) {
  return ns / 1e6;
}

nlohmann::json optional_string(const std::optional<std::string>& s) {
  return s ? nlohmann::json(*s) : nlohmann::json(nullptr);
}

}  // namespace

double ProduceMetrics::msgs_per_sec() const {
  return seconds > 0 ? static_cast<double>(produced) / seconds : 0.0;
}

double ProduceMetrics::mb_per_sec() const {
  return seconds > 0 ? static_cast<double>(bytes) / 1e6 / seconds : 0.0;
}

nlohmann::json to_json(const ProduceMetrics& m) {
  return {{"produced", m.produced},
          {"failed", m.failed},
          {"seconds", m.seconds},
          {"msgs_per_sec", m.msgs_per_sec()},
          {"mb_per_sec", m.mb_per_sec()},
          {"latency_ms",
           {{"avg", ms(m.latency.mean_ns())},
            {"p50", ms(static_cast<double>(m.latency.percentile_ns(50)))},
            {"p95", ms(static_cast<double>(m.latency.percentile_ns(95)))},
            {"p99", ms(static_cast<double>(m.latency.percentile_ns(99)))},
            {"max", ms(static_cast<double>(m.latency.max_ns()))}}},
          {"topic", m.topic},
          {"first_order_id", optional_string(m.first_order_id)},
          {"last_order_id", optional_string(m.last_order_id)},
          {"requested", m.requested},
          {"generated", m.generated},
          {"unacknowledged_at_exit", m.unacknowledged_at_exit},
          {"bytes", m.bytes},
          {"interrupted", m.interrupted},
          {"seed", m.seed ? nlohmann::json(*m.seed) : nlohmann::json(nullptr)},
          {"id_prefix", m.id_prefix}};
}

std::string render_report(const ProduceMetrics& m) {
  const std::string rule(60, '=');
  std::string out;
  auto line = [&out](const std::string& s) {
    out += s;
    out += '\n';
  };
  line(rule);
  line("PRODUCER METRICS");
  line(rule);
  line(fmt::format("Topic: {}", m.topic));
  line(fmt::format("Messages produced: {}", m.produced));
  line(fmt::format("Messages failed: {}", m.failed));
  if (m.unacknowledged_at_exit > 0) {
    line(fmt::format("  of which unanswered at exit: {}", m.unacknowledged_at_exit));
  }
  if (m.interrupted) {
    line(fmt::format("Interrupted: generated {} of {} requested", m.generated, m.requested));
  }
  line(fmt::format("Average latency: {:.2f}ms", ms(m.latency.mean_ns())));
  line(fmt::format("Latency p50/p95/p99/max: {:.2f} / {:.2f} / {:.2f} / {:.2f} ms",
                   ms(static_cast<double>(m.latency.percentile_ns(50))),
                   ms(static_cast<double>(m.latency.percentile_ns(95))),
                   ms(static_cast<double>(m.latency.percentile_ns(99))),
                   ms(static_cast<double>(m.latency.max_ns()))));
  line(fmt::format("Throughput: {:.1f} msgs/s, {:.2f} MB/s", m.msgs_per_sec(), m.mb_per_sec()));
  line(fmt::format("Elapsed: {:.3f}s", m.seconds));
  if (m.first_order_id) {
    line(fmt::format("Order ids: {} .. {}", *m.first_order_id, m.last_order_id.value_or("")));
  }
  line(rule);
  return out;
}

}  // namespace stats
