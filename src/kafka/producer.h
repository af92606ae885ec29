#pragma once
// RAII producer: owns the librdkafka handle, turns delivery reports into plain values for a
// user handler (with enqueue→ack latency), treats a full queue as backpressure, and exposes the
// transactional API for exactly-once pipelines.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/config.h"
#include "kafka/error.h"
#include "kafka/event_log.h"
#include "kafka/group_metadata.h"
#include "kafka/topic_partition.h"

struct rd_kafka_topic_s;

namespace RdKafka {
class Producer;
class Topic;
}  // namespace RdKafka

namespace kafka {

struct Header {
  std::string_view key;
  std::string_view value;
};

// Views are valid only during the handler call.
struct DeliveryReport {
  std::string_view topic;
  std::int32_t partition = kPartitionUnassigned;
  std::int64_t offset = kOffsetInvalid;
  std::string_view key;
  std::size_t value_size = 0;
  std::chrono::nanoseconds latency{0};  // from the successful enqueue to the broker's answer
  ErrorCode error = ERR_NO_ERROR;
  std::string_view reason;          // librdkafka's text for `error`, empty on success
  bool possibly_persisted = false;  // a failure the broker may nevertheless have written

  bool ok() const { return error == ERR_NO_ERROR; }
};

using DeliveryHandler = std::function<void(const DeliveryReport&)>;

class Producer {
 public:
  // Throws ConfigError for a bad property, KafkaException if the client cannot be created.
  Producer(const Properties& props, DeliveryHandler on_delivery);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Enqueues a copy of key and value. A full local queue is backpressure: delivery reports are
  // served and the enqueue retried until it fits, so nothing is dropped. Any other failure
  // (message too large, unknown partition, fatal producer state) is returned.
  Error produce(std::string_view topic, std::string_view key, std::string_view value,
                std::int32_t partition = kPartitionUnassigned);
  Error produce(std::string_view topic, std::string_view key, std::string_view value,
                std::span<const Header> headers, std::int32_t partition = kPartitionUnassigned);

  // Serves delivery reports; returns how many events were served.
  int poll(std::chrono::milliseconds timeout);
  // Waits up to `timeout` for outstanding messages; returns how many are still not delivered.
  int flush(std::chrono::milliseconds timeout);
  int outq_len() const;
  // Drops every message not delivered yet (queued or in flight); their reports fail.
  void purge();
  // The idempotent/transactional producer can enter a fatal state; this says why.
  Error fatal_error() const;

  // Transactions (needs `transactional.id`). Errors carry the retriable/abort/fatal flags.
  Error init_transactions(std::chrono::milliseconds timeout);
  Error begin_transaction();
  Error send_offsets_to_transaction(const std::vector<TopicPartitionOffset>& offsets,
                                    const GroupMetadata& group, std::chrono::milliseconds timeout);
  Error commit_transaction(std::chrono::milliseconds timeout);
  Error abort_transaction(std::chrono::milliseconds timeout);

  RdKafka::Producer& raw() { return *producer_; }  // for src/kafka
  EventLog& events() { return events_; }

 private:
  class DeliveryBridge;  // librdkafka's delivery report callback (producer.cpp)

  rd_kafka_topic_s* topic_handle(std::string_view name);
  Error enqueue_failure(ErrorCode code, std::string_view topic) const;

  // Callbacks are declared first so they outlive the handle that calls them.
  EventLog events_;
  std::unique_ptr<DeliveryBridge> bridge_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::vector<std::pair<std::string, std::unique_ptr<RdKafka::Topic>>> topics_;
};

}  // namespace kafka
