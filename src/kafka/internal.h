#pragma once
// For src/kafka's own .cpp files only: the one place that includes librdkafka's headers. Any
// other target that includes this (or librdkafka) fails to compile (CMakeLists.txt).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <string_view>
#include <vector>

#include "kafka/config.h"
#include "kafka/error.h"
#include "kafka/topic_partition.h"

namespace kafka {

inline ErrorCode code_of(RdKafka::ErrorCode code) {
  return static_cast<ErrorCode>(code);
}
inline ErrorCode code_of(rd_kafka_resp_err_t code) {
  return static_cast<ErrorCode>(code);
}

// An owning list of RdKafka::TopicPartition* for the calls that want librdkafka's raw vectors.
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

// Builds a librdkafka global config; an unknown key or bad value throws ConfigError carrying
// librdkafka's own message, without the value unless the key is known and not secret-looking.
std::unique_ptr<RdKafka::Conf> build_conf(const Properties& props);

// Installs a client's event callback and its role's callback on `conf`; throws KafkaException
// naming `client` when librdkafka refuses one.
void install_callbacks(RdKafka::Conf& conf, std::string_view client, RdKafka::EventCb* events,
                       RdKafka::DeliveryReportCb* delivery);
void install_callbacks(RdKafka::Conf& conf, std::string_view client, RdKafka::EventCb* events,
                       RdKafka::RebalanceCb* rebalance);

}  // namespace kafka
