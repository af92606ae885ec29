#include "kafka/checkpoint_reader.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "kafka/admin.h"

namespace kafka {
namespace {

using namespace std::chrono_literals;

Properties reader_props(const Properties& base) {
  Properties p = base;
  // Never used for commits or a subscription: partitions are assigned from the beginning.
  p.set("group.id", "orders-checkpoint-reader");
  p.set("enable.auto.commit", "false");
  p.set("isolation.level", "read_committed");
  // The end of a partition is its last stable offset; the EOF event also covers trailing
  // transaction markers, which a reader never receives as records.
  p.set("enable.partition.eof", "true");
  p.set("auto.offset.reset", "earliest");
  // Only assigned while catching up: the empty fetch that signals the end should come back fast.
  p.set("fetch.wait.max.ms", "10");
  p.erase("group.instance.id");
  return p;
}

}  // namespace

CheckpointReader::CheckpointReader(const Properties& consumer_props, std::string topic)
    : topic_(std::move(topic)),
      consumer_(std::make_unique<Consumer>(reader_props(consumer_props))) {}

CheckpointReader::~CheckpointReader() = default;

void CheckpointReader::connect(const std::string& bootstrap, std::chrono::milliseconds timeout,
                               const std::function<bool()>& abort) {
  check_connectivity(consumer_->raw(), bootstrap, timeout, &consumer_->events(), abort);
}

bool CheckpointReader::catch_up(std::chrono::milliseconds timeout,
                                const std::function<bool()>& abort) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto count = partition_count(consumer_->raw(), topic_, timeout);
  if (!count) return false;
  next_.resize(static_cast<std::size_t>(*count), 0);
  // Under read_committed the "high watermark" librdkafka reports is the last stable offset.
  std::vector<std::int64_t> end(next_.size(), 0);
  std::vector<TopicPartitionOffset> assignment;
  for (std::size_t p = 0; p < next_.size(); ++p) {
    std::int64_t low = 0, high = 0;
    const auto code = consumer_->raw().query_watermark_offsets(
        topic_, static_cast<std::int32_t>(p), &low, &high, static_cast<int>(timeout.count()));
    if (code != RdKafka::ERR_NO_ERROR) {
      throw KafkaException(
          code, "cannot read the end offsets of '" + topic_ + "': " + RdKafka::err2str(code));
    }
    end[p] = high;
    // Below the log start nothing is left to read (deleted by retention).
    if (next_[p] < low) next_[p] = low;
    if (next_[p] < end[p]) assignment.push_back({topic_, static_cast<std::int32_t>(p), next_[p]});
  }
  if (assignment.empty()) return true;
  // Assigned only while catching up: no fetching in between, and an absolute start offset
  // begins fetching at once.
  {
    OwnedPartitionList list(assignment);
    if (const auto code = consumer_->raw().assign(list.get()); code != RdKafka::ERR_NO_ERROR) {
      throw KafkaException(code, "cannot read '" + topic_ + "': " + RdKafka::err2str(code));
    }
  }
  struct Unassign {
    RdKafka::KafkaConsumer& c;
    ~Unassign() { c.unassign(); }
  } unassign{consumer_->raw()};
  auto behind = [&] {
    for (std::size_t p = 0; p < next_.size(); ++p) {
      if (next_[p] < end[p]) return true;
    }
    return false;
  };
  while (behind()) {
    if (abort && abort()) return true;
    if (std::chrono::steady_clock::now() >= deadline) {
      throw KafkaException(RdKafka::ERR__TIMED_OUT,
                           "could not read the aggregates topic '" + topic_ + "' to its end in " +
                               std::to_string(timeout.count() / 1000) + "s (" +
                               consumer_->events().last_error() + ")");
    }
    auto msg = consumer_->consume(100ms);
    if (!msg) continue;
    const auto p = static_cast<std::size_t>(msg->partition());
    switch (msg->err()) {
      case RdKafka::ERR_NO_ERROR:
        break;
      case RdKafka::ERR__PARTITION_EOF:
        if (p < next_.size()) next_[p] = std::max(next_[p], msg->offset());
        continue;
      default: {
        const Error e = Error::from_code(msg->err(), msg->errstr());
        if (e.fatal || msg->err() == RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED) {
          throw KafkaException(e);
        }
        spdlog::debug("reading {}: {}", topic_, e.message);
        continue;
      }
    }
    if (p >= next_.size()) continue;
    next_[p] = std::max(next_[p], msg->offset() + 1);
    ++records_read_;
    const std::string_view key =
        msg->key_pointer()
            ? std::string_view(static_cast<const char*>(msg->key_pointer()), msg->key_len())
            : std::string_view();
    std::optional<std::string> value;
    if (msg->payload()) value.emplace(static_cast<const char*>(msg->payload()), msg->len());
    table_.apply(key, value);
  }
  return true;
}

}  // namespace kafka
