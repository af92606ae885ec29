#pragma once
// Plain-value topic/partition/offset and an owning list of RdKafka::TopicPartition* for the calls
// that want librdkafka's raw vectors.
#include <librdkafka/rdkafkacpp.h>

#include <cstdint>
#include <string>
#include <vector>

namespace kafka {

struct TopicPartitionOffset {
  std::string topic;
  std::int32_t partition = 0;
  // For commits: the next offset to consume (last processed + 1).
  std::int64_t offset = RdKafka::Topic::OFFSET_INVALID;

  bool operator==(const TopicPartitionOffset&) const = default;
};

class OwnedPartitionList {
 public:
  OwnedPartitionList() = default;
  explicit OwnedPartitionList(const std::vector<TopicPartitionOffset>& items);
  ~OwnedPartitionList() { RdKafka::TopicPartition::destroy(list_); }
  OwnedPartitionList(const OwnedPartitionList&) = delete;
  OwnedPartitionList& operator=(const OwnedPartitionList&) = delete;

  std::vector<RdKafka::TopicPartition*>& get() { return list_; }

 private:
  std::vector<RdKafka::TopicPartition*> list_;
};

std::vector<TopicPartitionOffset> to_values(const std::vector<RdKafka::TopicPartition*>& list);

}  // namespace kafka
