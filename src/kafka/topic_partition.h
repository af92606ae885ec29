#pragma once
// Plain-value topic/partition/offset, and librdkafka's special partition and offset values
// (topic_partition.cpp checks them against librdkafka's).
#include <cstdint>
#include <string>

namespace kafka {

inline constexpr std::int32_t kPartitionUnassigned = -1;  // the partitioner chooses
inline constexpr std::int64_t kOffsetBeginning = -2;
inline constexpr std::int64_t kOffsetEnd = -1;
inline constexpr std::int64_t kOffsetInvalid = -1001;  // none (e.g. no committed offset)

struct TopicPartitionOffset {
  std::string topic;
  std::int32_t partition = 0;
  // For commits: the next offset to consume (last processed + 1).
  std::int64_t offset = kOffsetInvalid;

  bool operator==(const TopicPartitionOffset&) const = default;
};

}  // namespace kafka
