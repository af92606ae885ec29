#include "observe/rdkafka_stats.h"

#include <nlohmann/json.hpp>

namespace observe {
namespace {

using nlohmann::json;

std::uint64_t count_of(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  const double v = it->get<double>();
  return v > 0 ? static_cast<std::uint64_t>(v) : 0;
}

// librdkafka's window statistics are in microseconds.
double us_to_seconds(const json& window, const char* key) {
  if (!window.is_object()) return 0;
  return static_cast<double>(count_of(window, key)) / 1e6;
}

std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::uint64_t fetch_queue(const json& topics) {
  std::uint64_t n = 0;
  if (!topics.is_object()) return 0;
  for (const auto& [name, topic] : topics.items()) {
    auto parts = topic.find("partitions");
    if (parts == topic.end() || !parts->is_object()) continue;
    for (const auto& [id, p] : parts->items()) {
      if (p.is_object()) n += count_of(p, "fetchq_cnt");
    }
  }
  return n;
}

}  // namespace

std::optional<RdkafkaStats> parse_rdkafka_stats(std::string_view text, std::string client) {
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  RdkafkaStats s;
  s.client = std::move(client);
  s.replyq_events = count_of(j, "replyq");
  s.queued_messages = count_of(j, "msg_cnt");
  s.queued_bytes = count_of(j, "msg_size");
  s.tx_requests = count_of(j, "tx");
  s.rx_responses = count_of(j, "rx");
  if (auto t = j.find("topics"); t != j.end()) s.fetchq_messages = fetch_queue(*t);
  if (auto b = j.find("brokers"); b != j.end() && b->is_object()) {
    for (const auto& [key, broker] : b->items()) {
      if (!broker.is_object()) continue;
      // The bootstrap placeholders ("...:9092/bootstrap", node id -1) and the internal broker
      // carry no requests of their own.
      auto id = broker.find("nodeid");
      if (id == broker.end() || !id->is_number() || id->get<double>() < 0) continue;
      BrokerStats bs;
      bs.name = text_of(broker, "name");
      bs.state = text_of(broker, "state");
      const json rtt = broker.value("rtt", json::object());
      bs.rtt_avg_seconds = us_to_seconds(rtt, "avg");
      bs.rtt_p99_seconds = us_to_seconds(rtt, "p99");
      bs.outbuf_requests = count_of(broker, "outbuf_cnt");
      bs.waitresp_requests = count_of(broker, "waitresp_cnt");
      s.brokers.push_back(std::move(bs));
    }
  }
  return s;
}

void write_rdkafka_metrics(Exposition& out, const std::vector<RdkafkaStats>& clients) {
  if (clients.empty()) return;
  auto per_client = [&](const char* name, const char* type, const char* help, auto field) {
    out.family(name, type, help);
    for (const auto& c : clients) out.sample(name, {{"client", c.client}}, field(c));
  };
  per_client("orders_rdkafka_reply_queue_events", "gauge",
             "librdkafka: operations waiting for the application to serve them",
             [](const RdkafkaStats& c) { return c.replyq_events; });
  per_client("orders_rdkafka_producer_queue_messages", "gauge",
             "librdkafka: messages in the producer queue (waiting or in flight)",
             [](const RdkafkaStats& c) { return c.queued_messages; });
  per_client("orders_rdkafka_producer_queue_bytes", "gauge",
             "librdkafka: bytes of the messages in the producer queue",
             [](const RdkafkaStats& c) { return c.queued_bytes; });
  per_client("orders_rdkafka_fetch_queue_messages", "gauge",
             "librdkafka: pre-fetched messages waiting to be consumed",
             [](const RdkafkaStats& c) { return c.fetchq_messages; });
  per_client("orders_rdkafka_requests_sent_total", "counter",
             "librdkafka: requests sent to brokers",
             [](const RdkafkaStats& c) { return c.tx_requests; });
  per_client("orders_rdkafka_responses_received_total", "counter",
             "librdkafka: responses received from brokers",
             [](const RdkafkaStats& c) { return c.rx_responses; });
  auto per_broker = [&](const char* name, const char* help, auto field) {
    out.family(name, "gauge", help);
    for (const auto& c : clients) {
      for (const auto& b : c.brokers) {
        out.sample(name, {{"client", c.client}, {"broker", b.name}}, field(b));
      }
    }
  };
  per_broker("orders_rdkafka_broker_rtt_avg_seconds",
             "librdkafka: average broker round-trip time over the last statistics interval",
             [](const BrokerStats& b) { return b.rtt_avg_seconds; });
  per_broker("orders_rdkafka_broker_rtt_p99_seconds",
             "librdkafka: 99th percentile broker round-trip time over the last interval",
             [](const BrokerStats& b) { return b.rtt_p99_seconds; });
  per_broker("orders_rdkafka_broker_outbuf_requests", "librdkafka: requests waiting to be sent",
             [](const BrokerStats& b) { return b.outbuf_requests; });
  per_broker("orders_rdkafka_broker_waitresp_requests",
             "librdkafka: requests sent and waiting for a response",
             [](const BrokerStats& b) { return b.waitresp_requests; });
}

}  // namespace observe
