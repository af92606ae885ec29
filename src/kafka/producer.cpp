#include "kafka/producer.h"

#include <spdlog/spdlog.h>

#include <cstring>

#include "kafka/internal.h"

namespace kafka {
namespace {

// Per-message latency comes from librdkafka's own enqueue stamp (rd_kafka_message_latency):
// one clock read per message fewer than stamping it ourselves, and no opaque to manage.
std::chrono::nanoseconds enqueue_latency(const rd_kafka_message_t* message) {
  const std::int64_t us = rd_kafka_message_latency(message);
  return std::chrono::microseconds(us > 0 ? us : 0);
}

constexpr auto kBackpressurePoll = std::chrono::milliseconds(50);

}  // namespace

class Producer::DeliveryBridge : public RdKafka::DeliveryReportCb {
 public:
  explicit DeliveryBridge(DeliveryHandler handler) : handler_(std::move(handler)) {}
  void dr_cb(RdKafka::Message& message) override;

 private:
  DeliveryHandler handler_;
};

void Producer::DeliveryBridge::dr_cb(RdKafka::Message& message) {
  try {
    DeliveryReport report;
    const rd_kafka_message_t* c = message.c_ptr();
    report.topic = c->rkt ? rd_kafka_topic_name(c->rkt) : "";
    report.partition = message.partition();
    report.offset = message.offset();
    if (message.key_pointer()) {
      report.key = {static_cast<const char*>(message.key_pointer()), message.key_len()};
    }
    report.value_size = message.len();
    report.latency = enqueue_latency(c);
    report.error = code_of(message.err());
    if (report.error != ERR_NO_ERROR) {
      // Not rd_kafka_message_errstr(): for a produced message it returns the (unterminated)
      // payload as the error string.
      report.reason = rd_kafka_err2str(c->err);
      report.possibly_persisted = message.status() != RdKafka::Message::MSG_STATUS_NOT_PERSISTED;
    }
    if (handler_) handler_(report);
  } catch (const std::exception& e) {
    spdlog::error("delivery report handler failed: {}", e.what());
  } catch (...) {
    spdlog::error("delivery report handler failed with an unknown exception");
  }
}

Producer::Producer(const Properties& props, DeliveryHandler on_delivery)
    : events_("producer"), bridge_(std::make_unique<DeliveryBridge>(std::move(on_delivery))) {
  auto conf = build_conf(props);
  install_callbacks(*conf, "producer", events_.callback(), bridge_.get());
  std::string errstr;
  producer_.reset(RdKafka::Producer::create(conf.get(), errstr));
  // Property combinations (e.g. idempotence with acks=1) are only checked here.
  if (!producer_) throw ConfigError("cannot create Kafka producer: " + errstr);
}

Producer::~Producer() {
  // No flush here: callers decide how long shutdown may take. Destroying purges what is left.
  topics_.clear();
  producer_.reset();
}

rd_kafka_topic_t* Producer::topic_handle(std::string_view name) {
  // Most producers write one or two topics: a linear scan beats hashing.
  for (auto& [n, t] : topics_) {
    if (n == name) return t->c_ptr();
  }
  std::string errstr;
  std::unique_ptr<RdKafka::Topic> topic(
      RdKafka::Topic::create(producer_.get(), std::string(name), nullptr, errstr));
  if (!topic) return nullptr;
  topics_.emplace_back(std::string(name), std::move(topic));
  return topics_.back().second->c_ptr();
}

Error Producer::enqueue_failure(ErrorCode code, std::string_view topic) const {
  if (code == ERR__FATAL) return fatal_error();
  return Error::from_code(code, "cannot enqueue message for topic '" + std::string(topic) + "': " +
                                    RdKafka::err2str(static_cast<RdKafka::ErrorCode>(code)));
}

Error Producer::produce(std::string_view topic, std::string_view key, std::string_view value,
                        std::int32_t partition) {
  rd_kafka_topic_t* handle = topic_handle(topic);
  if (!handle) return Error::from_code(ERR__INVALID_ARG, "invalid topic name");
  while (true) {
    // The C call: the C++ wrapper adds a dynamic_cast and a virtual call per message.
    if (rd_kafka_produce(handle, partition, RD_KAFKA_MSG_F_COPY, const_cast<char*>(value.data()),
                         value.size(), key.data(), key.size(), nullptr) == 0) {
      return {};
    }
    const auto code = static_cast<RdKafka::ErrorCode>(rd_kafka_last_error());
    if (code != RdKafka::ERR__QUEUE_FULL) return enqueue_failure(code_of(code), topic);
    producer_->poll(static_cast<int>(kBackpressurePoll.count()));
  }
}

Error Producer::produce(std::string_view topic, std::string_view key, std::string_view value,
                        std::span<const Header> headers, std::int32_t partition) {
  if (headers.empty()) return produce(topic, key, value, partition);
  const std::string topic_name(topic);
  while (true) {
    std::unique_ptr<RdKafka::Headers> hdrs(RdKafka::Headers::create());
    for (const auto& h : headers) hdrs->add(std::string(h.key), h.value.data(), h.value.size());
    const RdKafka::ErrorCode code = producer_->produce(
        topic_name, partition, RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(value.data()),
        value.size(), key.data(), key.size(), 0, hdrs.get(), nullptr);
    if (code == RdKafka::ERR_NO_ERROR) {
      hdrs.release();  // librdkafka owns the headers once the message is enqueued
      return {};
    }
    if (code != RdKafka::ERR__QUEUE_FULL) return enqueue_failure(code_of(code), topic);
    producer_->poll(static_cast<int>(kBackpressurePoll.count()));
  }
}

int Producer::poll(std::chrono::milliseconds timeout) {
  return producer_->poll(static_cast<int>(timeout.count()));
}

int Producer::flush(std::chrono::milliseconds timeout) {
  producer_->flush(static_cast<int>(timeout.count()));
  return producer_->outq_len();
}

int Producer::outq_len() const {
  return producer_->outq_len();
}

void Producer::purge() {
  producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
}

Error Producer::fatal_error() const {
  std::string errstr;
  const RdKafka::ErrorCode code = producer_->fatal_error(errstr);
  if (code == RdKafka::ERR_NO_ERROR) return {};
  Error e = Error::from_code(code_of(code), "fatal producer error: " + errstr);
  e.fatal = true;
  return e;
}

Error Producer::init_transactions(std::chrono::milliseconds timeout) {
  return Error::from_owned(producer_->init_transactions(static_cast<int>(timeout.count())));
}

Error Producer::begin_transaction() {
  return Error::from_owned(producer_->begin_transaction());
}

Error Producer::send_offsets_to_transaction(const std::vector<TopicPartitionOffset>& offsets,
                                            const GroupMetadata& group,
                                            std::chrono::milliseconds timeout) {
  OwnedPartitionList list(offsets);
  return Error::from_owned(producer_->send_offsets_to_transaction(
      list.get(), group.get(), static_cast<int>(timeout.count())));
}

Error Producer::commit_transaction(std::chrono::milliseconds timeout) {
  return Error::from_owned(producer_->commit_transaction(static_cast<int>(timeout.count())));
}

Error Producer::abort_transaction(std::chrono::milliseconds timeout) {
  return Error::from_owned(producer_->abort_transaction(static_cast<int>(timeout.count())));
}

}  // namespace kafka
