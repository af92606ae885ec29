#pragma once
// Reading a dead-letter topic from a start position to the end it had when reading began (or
// on and on with `follow`). Partitions are assigned directly, not subscribed: no rebalances, and
// without a consumer group nothing is stored on the broker. With a group, reading starts at the
// group's committed offsets and `positions()` says what to commit. Always read_committed: dead
// letters of aborted transactions are skipped, whatever isolation.level the properties ask for.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kafka/config.h"
#include "kafka/consumer.h"
#include "kafka/topic_partition.h"
#include "kafka/topic_reader.h"
#include "pipeline/source_record.h"

namespace dlq_tools {

struct DlqSourceOptions {
  std::string topic;
  kafka::Properties consumer_props;  // group.id set: start at its committed offsets
  bool use_group = false;
  bool follow = false;
  std::chrono::milliseconds timeout{30'000};  // connecting, metadata, and a stalled read
};

class DlqSource {
 public:
  // Connects, snapshots the partitions' end offsets and assigns them. Throws KafkaException
  // (unreachable broker, missing topic, ...).
  explicit DlqSource(DlqSourceOptions options);

  // The next record, or nullopt after `wait` without one. Throws KafkaException on a fatal
  // consumer error or when no progress is made for `timeout` while records are still expected.
  std::optional<pipeline::SourceRecord> poll(std::chrono::milliseconds wait);
  // Every partition reached its end snapshot (never true when following).
  bool finished() const { return reader_->finished(); }
  // The caller paused on purpose (e.g. a rate limit): that time is not a stalled read.
  void touch() { last_progress_ = std::chrono::steady_clock::now(); }

  // Next offset to read for every partition that advanced since the start (to commit).
  std::vector<kafka::TopicPartitionOffset> positions() const;
  int partition_count() const { return static_cast<int>(reader_->end().size()); }
  // Records between the start positions and the end snapshot.
  std::int64_t backlog() const;

  kafka::Consumer& consumer() { return *consumer_; }

 private:
  DlqSourceOptions options_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::unique_ptr<kafka::TopicReader> reader_;
  std::chrono::steady_clock::time_point last_progress_;
};

}  // namespace dlq_tools
