#include "kafka/topic_reader.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "kafka/admin.h"
#include "kafka/error.h"
#include "kafka/internal.h"
#include "util/time_left.h"

namespace kafka {
namespace {

constexpr long long kQuerySliceMs = 500;

}  // namespace

TopicReader::TopicReader(Consumer& consumer, std::string topic, spdlog::level::level_enum transient)
    : consumer_(consumer), topic_(std::move(topic)), transient_(transient) {}

bool TopicReader::snapshot(std::chrono::milliseconds timeout, const std::function<bool()>& abort) {
  const auto deadline = Clock::now() + timeout;
  const auto count = partition_count(consumer_, topic_, timeout);
  if (!count) return false;
  const auto n = static_cast<std::size_t>(*count);
  next_.resize(std::max(n, next_.size()), 0);
  end_.assign(next_.size(), 0);
  for (std::size_t p = 0; p < n; ++p) {
    std::int64_t low = 0, high = 0;
    RdKafka::ErrorCode code = RdKafka::ERR__TIMED_OUT;
    // A slice at a time: a frozen broker would otherwise hold a stop request for `timeout`.
    while (code == RdKafka::ERR__TIMED_OUT) {
      if (abort && abort()) {
        throw KafkaException(ERR__INTR,
                             "interrupted while reading the end offsets of '" + topic_ + "'");
      }
      const auto left = util::ms_left(deadline, Clock::now());
      if (left.count() <= 0) break;
      code = consumer_.raw().query_watermark_offsets(
          topic_, static_cast<std::int32_t>(p), &low, &high,
          static_cast<int>(std::min<long long>(left.count(), kQuerySliceMs)));
    }
    if (code != RdKafka::ERR_NO_ERROR) {
      throw KafkaException(code_of(code), "cannot read the end offsets of '" + topic_ +
                                              "': " + RdKafka::err2str(code));
    }
    end_[p] = high;
    next_[p] = std::max(next_[p], low);
  }
  return true;
}

void TopicReader::start_at_least(std::int32_t partition, std::int64_t offset) {
  auto& n = next_.at(static_cast<std::size_t>(partition));
  n = std::max(n, offset);
}

bool TopicReader::assign(bool all, bool follow) {
  follow_ = follow;
  start_ = next_;
  done_.assign(next_.size(), false);
  std::vector<TopicPartitionOffset> assignment;
  for (std::size_t p = 0; p < next_.size(); ++p) {
    done_[p] = !follow && next_[p] >= end_[p];
    if (all || !done_[p]) assignment.push_back({topic_, static_cast<std::int32_t>(p), next_[p]});
  }
  if (assignment.empty()) return false;
  // An absolute start offset begins fetching at once.
  OwnedPartitionList list(assignment);
  if (const auto code = consumer_.raw().assign(list.get()); code != RdKafka::ERR_NO_ERROR) {
    throw KafkaException(code_of(code),
                         "cannot assign '" + topic_ + "': " + RdKafka::err2str(code));
  }
  return true;
}

void TopicReader::unassign() {
  consumer_.raw().unassign();
}

bool TopicReader::finished() const {
  return !follow_ && std::all_of(done_.begin(), done_.end(), [](bool d) { return d; });
}

void TopicReader::mark_done(std::int32_t partition) {
  if (follow_) return;
  if (partition >= 0 && static_cast<std::size_t>(partition) < done_.size()) {
    done_[static_cast<std::size_t>(partition)] = true;
  }
}

TopicReader::Polled TopicReader::poll(std::chrono::milliseconds wait) {
  auto msg = consumer_.consume(wait);
  if (!msg) return {};
  const auto p = static_cast<std::size_t>(msg.partition());
  switch (msg.err()) {
    case ERR_NO_ERROR:
      break;
    case ERR__PARTITION_EOF:
      if (p < next_.size()) next_[p] = std::max(next_[p], msg.offset());
      mark_done(msg.partition());
      return {std::nullopt, true};
    default: {
      const auto e = Error::from_code(msg.err(), msg.errstr());
      if (e.fatal || msg.err() == ERR_UNKNOWN_TOPIC_OR_PART ||
          msg.err() == ERR_TOPIC_AUTHORIZATION_FAILED ||
          msg.err() == ERR_GROUP_AUTHORIZATION_FAILED) {
        throw KafkaException(e);
      }
      spdlog::log(transient_, "reading {}: {}", topic_, e.message);
      return {};
    }
  }
  if (p < next_.size()) {
    next_[p] = std::max(next_[p], msg.offset() + 1);
    if (p < end_.size() && next_[p] >= end_[p]) mark_done(msg.partition());
  }
  return {to_record(msg), true};
}

TopicReader::Outcome TopicReader::read_to_end(Clock::time_point deadline,
                                              const std::function<bool()>& stop,
                                              const std::function<void(Record&&)>& on_record) {
  using namespace std::chrono_literals;
  while (!finished()) {
    if (stop && stop()) return Outcome::stopped;
    if (Clock::now() >= deadline) return Outcome::timed_out;
    auto polled = poll(100ms);
    if (polled.record) on_record(std::move(*polled.record));
  }
  return Outcome::at_end;
}

}  // namespace kafka
