#pragma once
// Reads a topic's partitions from start positions up to the end offsets they had when the
// snapshot was taken (under read_committed: the last stable offset), or on and on when
// following. Partitions are assigned directly: no group membership, no rebalances. The
// consumer must be created with enable.partition.eof=true: the EOF event also ends a partition
// whose last offsets are transaction markers, which a reader never receives as records.
#include <spdlog/common.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kafka/consumer.h"
#include "kafka/record.h"
#include "kafka/topic_partition.h"

namespace kafka {

class TopicReader {
 public:
  using Clock = std::chrono::steady_clock;

  // `transient`: the level at which recoverable read errors are logged.
  TopicReader(Consumer& consumer, std::string topic,
              spdlog::level::level_enum transient = spdlog::level::warn);

  // Reads the partition count and each partition's [low, end). False when the topic does not
  // exist. Positions read before are kept (a new snapshot continues there), raised to the low
  // watermark (below it the log was deleted). Each query waits in short slices, so `abort`
  // (when set) ends it within ~half a second: KafkaException ERR__INTR. Throws KafkaException.
  bool snapshot(std::chrono::milliseconds timeout, const std::function<bool()>& abort = {});
  // Raises a partition's next position (e.g. to a group's committed offset); before assign().
  void start_at_least(std::int32_t partition, std::int64_t offset);
  // Assigns the partitions from their next positions: every one with `all`, else only those
  // behind their end. False when none was assigned. Throws KafkaException.
  bool assign(bool all, bool follow);
  void unassign();

  struct Polled {
    std::optional<Record> record;
    bool progressed = false;  // a record, or a partition reached its end
  };
  // One consume call. Throws KafkaException on a fatal error or a missing/denied topic; other
  // errors are logged and return nothing.
  Polled poll(std::chrono::milliseconds wait);

  enum class Outcome { at_end, stopped, timed_out };
  // Polls until every partition reached its end, handing each record to `on_record`.
  Outcome read_to_end(Clock::time_point deadline, const std::function<bool()>& stop,
                      const std::function<void(Record&&)>& on_record);

  // Every assigned partition reached its end snapshot (never when following).
  bool finished() const;
  const std::string& topic() const { return topic_; }
  const std::vector<std::int64_t>& start() const { return start_; }  // at assign()
  const std::vector<std::int64_t>& end() const { return end_; }
  const std::vector<std::int64_t>& next() const { return next_; }

 private:
  void mark_done(std::int32_t partition);

  Consumer& consumer_;
  std::string topic_;
  spdlog::level::level_enum transient_;
  bool follow_ = false;
  std::vector<std::int64_t> start_;
  std::vector<std::int64_t> end_;
  std::vector<std::int64_t> next_;  // next offset to read, per partition
  std::vector<bool> done_;
};

}  // namespace kafka
