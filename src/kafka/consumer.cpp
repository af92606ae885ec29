#include "kafka/consumer.h"

#include <spdlog/spdlog.h>

namespace kafka {

void Consumer::RebalanceBridge::rebalance_cb(RdKafka::KafkaConsumer* consumer,
                                             RdKafka::ErrorCode err,
                                             std::vector<RdKafka::TopicPartition*>& partitions) {
  try {
    const bool cooperative = consumer->rebalance_protocol() == "COOPERATIVE";
    const auto values = to_values(partitions);
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      if (cooperative) {
        Error e = Error::from_owned(consumer->incremental_assign(partitions));
        if (e) spdlog::error("incremental assign failed: {}", e.message);
      } else if (auto code = consumer->assign(partitions); code != RdKafka::ERR_NO_ERROR) {
        spdlog::error("assign failed: {}", RdKafka::err2str(code));
      }
      spdlog::debug("assigned {} partition(s)", values.size());
      if (hooks_.on_assigned) hooks_.on_assigned(values);
      return;
    }
    if (err == RdKafka::ERR__REVOKE_PARTITIONS) {
      if (hooks_.on_revoked) hooks_.on_revoked(values, consumer->assignment_lost());
    } else {
      spdlog::error("rebalance error: {}", RdKafka::err2str(err));
    }
    if (cooperative) {
      Error e = Error::from_owned(consumer->incremental_unassign(partitions));
      if (e) spdlog::error("incremental unassign failed: {}", e.message);
    } else {
      consumer->unassign();
    }
    spdlog::debug("revoked {} partition(s)", values.size());
  } catch (const std::exception& e) {
    // Never unwind into librdkafka; still give the partitions up so the group can move on.
    spdlog::error("rebalance hook failed: {}", e.what());
    if (err != RdKafka::ERR__ASSIGN_PARTITIONS) consumer->unassign();
  } catch (...) {
    spdlog::error("rebalance hook failed with an unknown exception");
    if (err != RdKafka::ERR__ASSIGN_PARTITIONS) consumer->unassign();
  }
}

Consumer::Consumer(const Properties& props, RebalanceHooks hooks)
    : events_("consumer"), rebalance_(std::move(hooks)) {
  auto conf = build_conf(props);
  std::string errstr;
  if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(&events_), errstr) !=
          RdKafka::Conf::CONF_OK ||
      conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(&rebalance_), errstr) !=
          RdKafka::Conf::CONF_OK) {
    throw KafkaException(RdKafka::ERR__INVALID_ARG, "cannot install consumer callbacks: " + errstr);
  }
  consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), errstr));
  if (!consumer_) throw ConfigError("cannot create Kafka consumer: " + errstr);
}

Consumer::~Consumer() {
  try {
    close();
  } catch (...) {
    // Destructors never throw.
  }
  consumer_.reset();
}

void Consumer::subscribe(const std::vector<std::string>& topics) {
  const RdKafka::ErrorCode code = consumer_->subscribe(topics);
  if (code != RdKafka::ERR_NO_ERROR) {
    throw KafkaException(code, "cannot subscribe: " + RdKafka::err2str(code));
  }
}

std::unique_ptr<RdKafka::Message> Consumer::consume(std::chrono::milliseconds timeout) {
  std::unique_ptr<RdKafka::Message> msg(consumer_->consume(static_cast<int>(timeout.count())));
  if (msg && msg->err() == RdKafka::ERR__TIMED_OUT) return nullptr;
  return msg;
}

Error Consumer::commit_sync(const std::vector<TopicPartitionOffset>& offsets) {
  if (offsets.empty()) return {};
  OwnedPartitionList list(offsets);
  RdKafka::ErrorCode code = consumer_->commitSync(list.get());
  if (code == RdKafka::ERR_NO_ERROR) {
    // A request-level success can still carry per-partition failures.
    for (const auto* tp : list.get()) {
      if (tp->err() != RdKafka::ERR_NO_ERROR) {
        code = tp->err();
        break;
      }
    }
  }
  return code == RdKafka::ERR_NO_ERROR ? Error{} : Error::from_code(code);
}

Error Consumer::commit_async(const std::vector<TopicPartitionOffset>& offsets) {
  if (offsets.empty()) return {};
  OwnedPartitionList list(offsets);
  const RdKafka::ErrorCode code = consumer_->commitAsync(list.get());
  return code == RdKafka::ERR_NO_ERROR ? Error{} : Error::from_code(code);
}

Error Consumer::pause(const std::vector<TopicPartitionOffset>& partitions) {
  OwnedPartitionList list(partitions);
  const RdKafka::ErrorCode code = consumer_->pause(list.get());
  return code == RdKafka::ERR_NO_ERROR ? Error{} : Error::from_code(code);
}

Error Consumer::resume(const std::vector<TopicPartitionOffset>& partitions) {
  OwnedPartitionList list(partitions);
  const RdKafka::ErrorCode code = consumer_->resume(list.get());
  return code == RdKafka::ERR_NO_ERROR ? Error{} : Error::from_code(code);
}

Error Consumer::seek(const TopicPartitionOffset& position, std::chrono::milliseconds timeout) {
  std::unique_ptr<RdKafka::TopicPartition> tp(
      RdKafka::TopicPartition::create(position.topic, position.partition, position.offset));
  const RdKafka::ErrorCode code = consumer_->seek(*tp, static_cast<int>(timeout.count()));
  return code == RdKafka::ERR_NO_ERROR ? Error{} : Error::from_code(code);
}

std::vector<TopicPartitionOffset> Consumer::assignment() {
  OwnedPartitionList list;
  if (consumer_->assignment(list.get()) != RdKafka::ERR_NO_ERROR) return {};
  return to_values(list.get());
}

std::vector<TopicPartitionOffset> Consumer::committed(
    const std::vector<TopicPartitionOffset>& partitions, std::chrono::milliseconds timeout) {
  OwnedPartitionList list(partitions);
  const RdKafka::ErrorCode code =
      consumer_->committed(list.get(), static_cast<int>(timeout.count()));
  if (code != RdKafka::ERR_NO_ERROR) {
    throw KafkaException(code, "cannot fetch committed offsets: " + RdKafka::err2str(code));
  }
  return to_values(list.get());
}

std::unique_ptr<RdKafka::ConsumerGroupMetadata> Consumer::group_metadata() {
  return std::unique_ptr<RdKafka::ConsumerGroupMetadata>(consumer_->groupMetadata());
}

Error Consumer::close() {
  if (closed_ || !consumer_) return {};
  closed_ = true;
  const RdKafka::ErrorCode code = consumer_->close();
  return code == RdKafka::ERR_NO_ERROR ? Error{} : Error::from_code(code);
}

}  // namespace kafka
