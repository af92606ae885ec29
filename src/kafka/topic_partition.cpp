#include "kafka/topic_partition.h"

#include "kafka/internal.h"

namespace kafka {

static_assert(kPartitionUnassigned == RD_KAFKA_PARTITION_UA);
static_assert(kOffsetBeginning == RD_KAFKA_OFFSET_BEGINNING);
static_assert(kOffsetEnd == RD_KAFKA_OFFSET_END);
static_assert(kOffsetInvalid == RD_KAFKA_OFFSET_INVALID);

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
