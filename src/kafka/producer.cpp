#include "kafka/producer.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <cstring>

namespace kafka {
namespace {

static_assert(sizeof(void*) >= sizeof(std::int64_t),
              "the enqueue timestamp travels in the message opaque pointer");

// The per-message opaque carries the enqueue time itself (not a pointer to it): no allocation and
// nothing to free if a message is purged.
void* encode_enqueue_time() {
  const auto ns = std::chrono::steady_clock::now().time_since_epoch().count();
  return reinterpret_cast<void*>(static_cast<std::uintptr_t>(ns));
}

std::chrono::nanoseconds since_enqueue(void* opaque) {
  const auto enqueued = static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(opaque));
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return std::chrono::nanoseconds(now > enqueued ? now - enqueued : 0);
}

constexpr auto kBackpressurePoll = std::chrono::milliseconds(50);

}  // namespace

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
    report.latency = since_enqueue(message.msg_opaque());
    report.error = message.err();
    if (report.error != RdKafka::ERR_NO_ERROR) {
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
    : events_("producer"), bridge_(std::move(on_delivery)) {
  auto conf = build_conf(props);
  std::string errstr;
  if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(&events_), errstr) !=
          RdKafka::Conf::CONF_OK ||
      conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(&bridge_), errstr) !=
          RdKafka::Conf::CONF_OK) {
    throw KafkaException(RdKafka::ERR__INVALID_ARG, "cannot install producer callbacks: " + errstr);
  }
  producer_.reset(RdKafka::Producer::create(conf.get(), errstr));
  // Property combinations (e.g. idempotence with acks=1) are only checked here.
  if (!producer_) throw ConfigError("cannot create Kafka producer: " + errstr);
}

Producer::~Producer() {
  // No flush here: callers decide how long shutdown may take. Destroying purges what is left.
  topics_.clear();
  producer_.reset();
}

RdKafka::Topic* Producer::topic_handle(std::string_view name) {
  // Most producers write one or two topics: a linear scan beats hashing.
  for (auto& [n, t] : topics_) {
    if (n == name) return t.get();
  }
  std::string errstr;
  std::unique_ptr<RdKafka::Topic> topic(
      RdKafka::Topic::create(producer_.get(), std::string(name), nullptr, errstr));
  if (!topic) return nullptr;
  topics_.emplace_back(std::string(name), std::move(topic));
  return topics_.back().second.get();
}

Error Producer::enqueue_failure(RdKafka::ErrorCode code, std::string_view topic) const {
  if (code == RdKafka::ERR__FATAL) return fatal_error();
  return Error::from_code(code, "cannot enqueue message for topic '" + std::string(topic) +
                                    "': " + RdKafka::err2str(code));
}

Error Producer::produce(std::string_view topic, std::string_view key, std::string_view value,
                        std::int32_t partition) {
  RdKafka::Topic* handle = topic_handle(topic);
  if (!handle) return Error::from_code(RdKafka::ERR__INVALID_ARG, "invalid topic name");
  while (true) {
    const RdKafka::ErrorCode code =
        producer_->produce(handle, partition, RdKafka::Producer::RK_MSG_COPY,
                           const_cast<char*>(value.data()), value.size(), key.data(), key.size(),
                           encode_enqueue_time());
    if (code == RdKafka::ERR_NO_ERROR) return {};
    if (code != RdKafka::ERR__QUEUE_FULL) return enqueue_failure(code, topic);
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
        value.size(), key.data(), key.size(), 0, hdrs.get(), encode_enqueue_time());
    if (code == RdKafka::ERR_NO_ERROR) {
      hdrs.release();  // librdkafka owns the headers once the message is enqueued
      return {};
    }
    if (code != RdKafka::ERR__QUEUE_FULL) return enqueue_failure(code, topic);
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

int Producer::outq_len() const { return producer_->outq_len(); }

Error Producer::fatal_error() const {
  std::string errstr;
  const RdKafka::ErrorCode code = producer_->fatal_error(errstr);
  if (code == RdKafka::ERR_NO_ERROR) return {};
  Error e = Error::from_code(code, "fatal producer error: " + errstr);
  e.fatal = true;
  return e;
}

Error Producer::init_transactions(std::chrono::milliseconds timeout) {
  return Error::from_owned(producer_->init_transactions(static_cast<int>(timeout.count())));
}

Error Producer::begin_transaction() { return Error::from_owned(producer_->begin_transaction()); }

Error Producer::send_offsets_to_transaction(const std::vector<TopicPartitionOffset>& offsets,
                                            const RdKafka::ConsumerGroupMetadata& group,
                                            std::chrono::milliseconds timeout) {
  OwnedPartitionList list(offsets);
  return Error::from_owned(producer_->send_offsets_to_transaction(
      list.get(), &group, static_cast<int>(timeout.count())));
}

Error Producer::commit_transaction(std::chrono::milliseconds timeout) {
  return Error::from_owned(producer_->commit_transaction(static_cast<int>(timeout.count())));
}

Error Producer::abort_transaction(std::chrono::milliseconds timeout) {
  return Error::from_owned(producer_->abort_transaction(static_cast<int>(timeout.count())));
}

}  // namespace kafka
