#pragma once
// RAII consumer-group member: owns the librdkafka KafkaConsumer, performs (eager or cooperative)
// assignment in its rebalance callback and lets the application hook in to commit before
// partitions go away. Closes the group membership in its destructor.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "kafka/config.h"
#include "kafka/error.h"
#include "kafka/event_log.h"
#include "kafka/group_metadata.h"
#include "kafka/record.h"
#include "kafka/topic_partition.h"

struct rd_kafka_queue_s;

namespace RdKafka {
class KafkaConsumer;
class Message;
}  // namespace RdKafka

namespace kafka {

struct RebalanceHooks {
  // After the partitions were assigned (offsets are those librdkafka will start from).
  std::function<void(const std::vector<TopicPartitionOffset>&)> on_assigned;
  // Before the partitions are taken away: the place to commit processed offsets. `lost` means the
  // membership was lost (session timeout); commits would fail, other members own them already.
  std::function<void(const std::vector<TopicPartitionOffset>&, bool lost)> on_revoked;
};

class Consumer {
 public:
  // `props` needs group.id; start from consumer_defaults(). Throws ConfigError/KafkaException.
  explicit Consumer(const Properties& props, RebalanceHooks hooks = {});
  ~Consumer();  // close(5 s) unless closed; never throws
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  void subscribe(const std::vector<std::string>& topics);  // throws KafkaException
  // None on timeout. The message may carry an error (check err()); ERR__PARTITION_EOF is
  // informational.
  Message consume(std::chrono::milliseconds timeout);
  // Fetcher wake-ups sent so far (see wake_fetcher in consumer.cpp); for tests and debug logs.
  std::uint64_t fetcher_wakeups() const { return wakeups_; }

  // Offsets are the *next* offsets to read (last processed + 1). Waits for the result up to
  // `timeout` (ERR__TIMED_OUT after that; the commit may still land later).
  Error commit_sync(const std::vector<TopicPartitionOffset>& offsets,
                    std::chrono::milliseconds timeout);
  Error commit_async(const std::vector<TopicPartitionOffset>& offsets);
  Error pause(const std::vector<TopicPartitionOffset>& partitions);
  Error resume(const std::vector<TopicPartitionOffset>& partitions);
  // Moves the fetch position of an assigned partition (absolute or logical offset); records
  // fetched before are discarded by librdkafka, not returned.
  Error seek(const TopicPartitionOffset& position, std::chrono::milliseconds timeout);
  std::vector<TopicPartitionOffset> assignment();
  // The partition's log start and end, asked of its leader (ListOffsets); under read_committed
  // the end is the last stable offset. Waits up to `timeout`.
  struct Watermarks {
    std::int64_t low = 0;
    std::int64_t high = 0;
  };
  Error query_watermarks(const std::string& topic, std::int32_t partition,
                         std::chrono::milliseconds timeout, Watermarks& out);
  // The same as last seen by the client (fetch responses, statistics), without asking; nullopt
  // when not known yet.
  std::optional<Watermarks> cached_watermarks(const std::string& topic, std::int32_t partition);
  // Last committed offsets of the given partitions (offset field is filled in).
  std::vector<TopicPartitionOffset> committed(const std::vector<TopicPartitionOffset>& partitions,
                                              std::chrono::milliseconds timeout);
  // For Producer::send_offsets_to_transaction.
  GroupMetadata group_metadata();

  // Leaves the group (runs the revoke hook, commits nothing by itself), waiting up to
  // `timeout`. Idempotent.
  Error close(std::chrono::milliseconds timeout);

  RdKafka::KafkaConsumer& raw() { return *consumer_; }  // for src/kafka
  EventLog& events() { return events_; }

 private:
  class RebalanceBridge;  // librdkafka's rebalance callback (consumer.cpp)
  struct QueueDeleter {
    void operator()(rd_kafka_queue_s* queue) const;
  };

  void maybe_wake_fetcher(const RdKafka::Message& msg);
  void waker_loop();
  void stop_waker();

  EventLog events_;
  std::unique_ptr<RebalanceBridge> rebalance_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  bool closed_ = false;
  // The consumer queue (every assigned partition's fetched records), only for its length.
  std::unique_ptr<rd_kafka_queue_s, QueueDeleter> queue_;
  double bound_messages_ = 0;  // queued.min.messages
  double bound_bytes_ = 0;     // queued.max.messages.kbytes, in bytes
  double avg_payload_ = 0;
  std::uint32_t check_every_ = 1;
  std::uint32_t until_check_ = 0;
  // Queue level (fraction of its bound) under which the fetcher is woken; 0: not armed. Armed
  // when the queue is seen near its bound.
  double wake_below_ = 0;
  std::uint64_t wakeups_ = 0;
  // The wake-up request waits for its answer, which may queue behind a long-polling fetch on
  // the same connection (up to fetch.wait.max.ms): a helper thread sends it, so the consume
  // thread never waits. Started on the first wake-up.
  std::thread waker_;
  std::mutex waker_mu_;
  std::condition_variable waker_cv_;
  std::optional<std::pair<std::string, std::int32_t>> wake_target_;  // guarded by waker_mu_
  bool waker_stop_ = false;                                          // guarded by waker_mu_
};

}  // namespace kafka
