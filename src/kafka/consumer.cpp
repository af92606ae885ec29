#include "kafka/consumer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

#include "kafka/handles.h"
#include "kafka/internal.h"
#include "util/time_left.h"

namespace kafka {
namespace {

// A call's result code as an Error (none on success).
Error result_of(RdKafka::ErrorCode code) {
  return code == RdKafka::ERR_NO_ERROR ? Error{} : Error::from_code(code_of(code));
}

// librdkafka's own defaults.
constexpr long long kDefaultQueuedMinMessages = 100000;
constexpr long long kDefaultQueuedMaxKbytes = 65536;
constexpr std::uint32_t kMaxCheckEvery = 256;  // records between two looks at the queue length
constexpr int kWakeupTimeoutMs = 500;
constexpr std::chrono::milliseconds kCloseTimeout{5000};  // the destructor's, if nobody closed

long long number_or(const Properties& props, std::string_view key, long long fallback) {
  const std::string* v = props.find(key);
  if (!v) return fallback;
  try {
    return std::max(1LL, std::stoll(*v));
  } catch (const std::exception&) {
    return fallback;  // build_conf has rejected a bad value already
  }
}

// The close queue carries the consumer's events in event form: a rebalance (the final revoke)
// is run through the rebalance bridge like any other; the rest (records fetched late, errors)
// is dropped.
void serve_close_event(RdKafka::RebalanceCb& rebalance, RdKafka::KafkaConsumer* consumer,
                       EventPtr event) {
  if (!event || rd_kafka_event_type(event.get()) != RD_KAFKA_EVENT_REBALANCE) return;
  std::vector<RdKafka::TopicPartition*> partitions;
  if (const auto* list = rd_kafka_event_topic_partition_list(event.get())) {
    for (int i = 0; i < list->cnt; ++i) {
      partitions.push_back(RdKafka::TopicPartition::create(
          list->elems[i].topic, list->elems[i].partition, list->elems[i].offset));
    }
  }
  rebalance.rebalance_cb(
      consumer, static_cast<RdKafka::ErrorCode>(rd_kafka_event_error(event.get())), partitions);
  RdKafka::TopicPartition::destroy(partitions);
}

}  // namespace

class Consumer::RebalanceBridge : public RdKafka::RebalanceCb {
 public:
  explicit RebalanceBridge(RebalanceHooks hooks) : hooks_(std::move(hooks)) {}
  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override;

 private:
  RebalanceHooks hooks_;
};

void Consumer::QueueDeleter::operator()(rd_kafka_queue_s* queue) const {
  if (queue) rd_kafka_queue_destroy(queue);
}

GroupMetadata::GroupMetadata(RdKafka::ConsumerGroupMetadata* owned) : ptr_(owned) {}
GroupMetadata::GroupMetadata() = default;
GroupMetadata::~GroupMetadata() = default;
GroupMetadata::GroupMetadata(GroupMetadata&&) noexcept = default;
GroupMetadata& GroupMetadata::operator=(GroupMetadata&&) noexcept = default;

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
    : events_("consumer"), rebalance_(std::make_unique<RebalanceBridge>(std::move(hooks))) {
  auto conf = build_conf(props);
  install_callbacks(*conf, "consumer", events_.callback(), rebalance_.get());
  std::string errstr;
  consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), errstr));
  if (!consumer_) throw ConfigError("cannot create Kafka consumer: " + errstr);
  queue_.reset(rd_kafka_queue_get_consumer(consumer_->c_ptr()));
  bound_messages_ =
      static_cast<double>(number_or(props, "queued.min.messages", kDefaultQueuedMinMessages));
  bound_bytes_ = 1024.0 * static_cast<double>(number_or(props, "queued.max.messages.kbytes",
                                                        kDefaultQueuedMaxKbytes));
  // Several looks while the queue drains from 3/4 to 1/2 of its bound.
  check_every_ = static_cast<std::uint32_t>(
      std::clamp(bound_messages_ / 64.0, 1.0, static_cast<double>(kMaxCheckEvery)));
}

Consumer::~Consumer() {
  stop_waker();
  try {
    close(kCloseTimeout);
  } catch (...) {
    // Destructors never throw.
  }
  queue_.reset();  // before the handle it belongs to
  if (wakeups_ > 0) spdlog::debug("consumer: {} fetcher wake-up(s)", wakeups_);
  consumer_.reset();
}

void Consumer::subscribe(const std::vector<std::string>& topics) {
  const RdKafka::ErrorCode code = consumer_->subscribe(topics);
  if (code != RdKafka::ERR_NO_ERROR) {
    throw KafkaException(code_of(code), "cannot subscribe: " + RdKafka::err2str(code));
  }
}

Message Consumer::consume(std::chrono::milliseconds timeout) {
  std::unique_ptr<RdKafka::Message> msg(consumer_->consume(static_cast<int>(timeout.count())));
  if (!msg || msg->err() == RdKafka::ERR__TIMED_OUT) return {};
  if (msg->err() == RdKafka::ERR_NO_ERROR) maybe_wake_fetcher(*msg);
  return Message(msg.release());
}

// librdkafka 2.0 stops fetching once the consumer queue holds queued.min.messages records or
// queued.max.messages.kbytes of payload, and looks again only when something wakes its broker
// thread: at the latest after a second (rd_kafka_max_block_ms), with nothing else going on. The
// application drains a bounded queue much faster than that and would then sit idle, so a bounded
// prefetch cost two thirds of the throughput (1M backlog: 7 s instead of 1.2 s) and an unbounded
// one hundreds of MB. Fix: once the queue was seen near a bound (the fetcher has probably
// stopped) and has since drained below half of it, one cheap request to that partition's
// leader (ListOffsets, via query_watermark_offsets) wakes the broker thread, which re-decides and
// fetches at once. Live traffic never fills the queue, so it sends none. In a cluster the
// request reaches the leader of the record just consumed; the follow-up wake-ups (at a quarter,
// an eighth, ...) pick other records, hence other leaders.
void Consumer::maybe_wake_fetcher(const RdKafka::Message& msg) {
  if (!queue_) return;
  // Payload bytes per record, smoothed (librdkafka's kbytes bound counts payloads).
  avg_payload_ += (static_cast<double>(msg.len()) - avg_payload_) / 64.0;
  if (until_check_ > 0) {
    --until_check_;
    return;
  }
  until_check_ = check_every_;
  const auto length = static_cast<double>(rd_kafka_queue_length(queue_.get()));
  // How full the queue is, against the tighter of its two bounds.
  const double level = std::max(length / bound_messages_, length * avg_payload_ / bound_bytes_);
  if (level >= 0.75) {
    wake_below_ = 0.5;  // the fetcher has probably stopped: wake it at half
    return;
  }
  if (level >= wake_below_) return;
  // Should this wake-up come too early (our payload estimate is below what librdkafka counts),
  // the next one comes at half the level again; an empty queue ends it.
  wake_below_ = level > 1.0 / 64 ? level / 2 : 0;
  ++wakeups_;
  try {
    {
      std::lock_guard lock(waker_mu_);
      wake_target_.emplace(msg.topic_name(), msg.partition());  // a pending one is replaced
    }
    if (!waker_.joinable()) waker_ = std::thread([this] { waker_loop(); });
    waker_cv_.notify_one();
  } catch (const std::exception& e) {
    spdlog::debug("consumer: no fetcher wake-up: {}", e.what());  // only costs throughput
  }
}

void Consumer::waker_loop() {
  std::unique_lock lock(waker_mu_);
  while (true) {
    waker_cv_.wait(lock, [this] { return waker_stop_ || wake_target_.has_value(); });
    if (waker_stop_) return;
    const auto [topic, partition] = std::move(*wake_target_);
    wake_target_.reset();
    lock.unlock();
    std::int64_t low = 0, high = 0;
    // The answer does not matter; a failure (timeout, leader moved) only means no early wake-up.
    consumer_->query_watermark_offsets(topic, partition, &low, &high, kWakeupTimeoutMs);
    lock.lock();
  }
}

void Consumer::stop_waker() {
  {
    std::lock_guard lock(waker_mu_);
    waker_stop_ = true;
  }
  waker_cv_.notify_one();
  if (waker_.joinable()) waker_.join();
}

// Not commitSync(), which waits as long as the broker keeps the request (a frozen broker: for
// ever): the result is awaited on a queue of our own, for `timeout` at most. A commit given up
// on may still land later; either way the offsets stay at or below what was processed.
Error Consumer::commit_sync(const std::vector<TopicPartitionOffset>& offsets,
                            std::chrono::milliseconds timeout) {
  if (offsets.empty()) return {};
  std::unique_ptr<rd_kafka_topic_partition_list_t, CDeleter<rd_kafka_topic_partition_list_destroy>>
      list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& tp : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset =
        tp.offset;
  }
  QueuePtr queue(rd_kafka_queue_new(consumer_->c_ptr()));
  auto code = static_cast<RdKafka::ErrorCode>(
      rd_kafka_commit_queue(consumer_->c_ptr(), list.get(), queue.get(), nullptr, nullptr));
  if (code != RdKafka::ERR_NO_ERROR) return result_of(code);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = util::ms_left(deadline, std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return Error::from_code(ERR__TIMED_OUT, "offset commit not confirmed within " +
                                                  std::to_string(timeout.count()) + " ms");
    }
    EventPtr event(rd_kafka_queue_poll(queue.get(), static_cast<int>(left.count())));
    if (!event || rd_kafka_event_type(event.get()) != RD_KAFKA_EVENT_OFFSET_COMMIT) continue;
    code = static_cast<RdKafka::ErrorCode>(rd_kafka_event_error(event.get()));
    if (const auto* result = rd_kafka_event_topic_partition_list(event.get());
        result && code == RdKafka::ERR_NO_ERROR) {
      // A request-level success can still carry per-partition failures.
      for (int i = 0; i < result->cnt && code == RdKafka::ERR_NO_ERROR; ++i) {
        code = static_cast<RdKafka::ErrorCode>(result->elems[i].err);
      }
    }
    return result_of(code);
  }
}

Error Consumer::commit_async(const std::vector<TopicPartitionOffset>& offsets) {
  if (offsets.empty()) return {};
  OwnedPartitionList list(offsets);
  return result_of(consumer_->commitAsync(list.get()));
}

Error Consumer::pause(const std::vector<TopicPartitionOffset>& partitions) {
  OwnedPartitionList list(partitions);
  return result_of(consumer_->pause(list.get()));
}

Error Consumer::resume(const std::vector<TopicPartitionOffset>& partitions) {
  OwnedPartitionList list(partitions);
  return result_of(consumer_->resume(list.get()));
}

Error Consumer::seek(const TopicPartitionOffset& position, std::chrono::milliseconds timeout) {
  std::unique_ptr<RdKafka::TopicPartition> tp(
      RdKafka::TopicPartition::create(position.topic, position.partition, position.offset));
  return result_of(consumer_->seek(*tp, static_cast<int>(timeout.count())));
}

Error Consumer::query_watermarks(const std::string& topic, std::int32_t partition,
                                 std::chrono::milliseconds timeout, Watermarks& out) {
  return result_of(consumer_->query_watermark_offsets(topic, partition, &out.low, &out.high,
                                                      static_cast<int>(timeout.count())));
}

std::optional<Consumer::Watermarks> Consumer::cached_watermarks(const std::string& topic,
                                                                std::int32_t partition) {
  Watermarks w;
  if (consumer_->get_watermark_offsets(topic, partition, &w.low, &w.high) !=
      RdKafka::ERR_NO_ERROR) {
    return std::nullopt;
  }
  return w;
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
    throw KafkaException(code_of(code),
                         "cannot fetch committed offsets: " + RdKafka::err2str(code));
  }
  return to_values(list.get());
}

GroupMetadata Consumer::group_metadata() {
  return GroupMetadata(consumer_->groupMetadata());
}

// Not KafkaConsumer::close(), which waits for the group to be left however long that takes:
// the same steps run in librdkafka's background (the revoke hook is served here) for `timeout`
// at most. Given up, the handle is destroyed without closing again; the group then drops the
// member after its session timeout.
Error Consumer::close(std::chrono::milliseconds timeout) {
  if (closed_ || !consumer_) return {};
  stop_waker();  // no request of its own while the group is left
  closed_ = true;
  QueuePtr queue(rd_kafka_queue_new(consumer_->c_ptr()));
  if (ErrorPtr e{rd_kafka_consumer_close_queue(consumer_->c_ptr(), queue.get())}) {
    return Error::from_code(static_cast<ErrorCode>(rd_kafka_error_code(e.get())),
                            rd_kafka_error_string(e.get()));
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!rd_kafka_consumer_closed(consumer_->c_ptr())) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return Error::from_code(ERR__TIMED_OUT, "leaving the consumer group took longer than " +
                                                  std::to_string(timeout.count()) +
                                                  " ms: given up");
    }
    serve_close_event(*rebalance_, consumer_.get(), EventPtr(rd_kafka_queue_poll(queue.get(), 50)));
  }
  return {};
}

}  // namespace kafka
