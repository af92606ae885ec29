#pragma once
// The useful part of librdkafka's statistics (statistics.interval.ms): the JSON document it emits
// parsed into plain figures, and their metric families. Parsing is lenient: a field that is
// missing or of another type is left at zero, a document that is not JSON yields nothing.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "observe/exposition.h"

namespace observe {

struct BrokerStats {
  std::string name;  // "host:port/id" as librdkafka names it
  std::string state;
  double rtt_avg_seconds = 0;  // request round-trip time over the last interval
  double rtt_p99_seconds = 0;
  std::uint64_t outbuf_requests = 0;    // requests waiting to be sent
  std::uint64_t waitresp_requests = 0;  // requests sent, waiting for their response
};

struct RdkafkaStats {
  std::string client;                 // our role for the client: "consumer", "producer", ...
  std::uint64_t replyq_events = 0;    // ops waiting in the application's queue
  std::uint64_t queued_messages = 0;  // producer: messages in the queue (msg_cnt)
  std::uint64_t queued_bytes = 0;
  std::uint64_t fetchq_messages = 0;  // consumer: pre-fetched messages, all partitions
  std::uint64_t tx_requests = 0;      // totals since the client started
  std::uint64_t rx_responses = 0;
  std::vector<BrokerStats> brokers;
};

// Nullopt when `json` is not a JSON object.
std::optional<RdkafkaStats> parse_rdkafka_stats(std::string_view json, std::string client);

// The orders_rdkafka_* families for every client given (one series per client and broker).
void write_rdkafka_metrics(Exposition& out, const std::vector<RdkafkaStats>& clients);

}  // namespace observe
