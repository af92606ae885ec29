#include "kafka/topic_partition.h"

namespace kafka {

OwnedPartitionList::OwnedPartitionList(const std::vector<TopicPartitionOffset>& items) {
  list_.reserve(items.size());
  for (const auto& tpo : items) {
    list_.push_back(RdKafka::TopicPartition::create(tpo.topic, tpo.partition, tpo.offset));
  }
}

std::vector<TopicPartitionOffset> to_values(const std::vector<RdKafka::TopicPartition*>& list) {
  std::vector<TopicPartitionOffset> out;
  out.reserve(list.size());
  for (const auto* tp : list) {
    if (tp) out.push_back({tp->topic(), tp->partition(), tp->offset()});
  }
  return out;
}

}  // namespace kafka
