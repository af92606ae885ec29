#pragma once
// Cluster-level helpers with bounded timeouts: reachability check, topic creation, partition
// counts. librdkafka's C++ API has no admin calls, so topic creation goes through the C API on
// the same client handle.
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kafka/error.h"
#include "kafka/event_log.h"

namespace RdKafka {
class Handle;
}

namespace kafka {

class Consumer;
class Producer;

// The client whose connection an admin call uses: a producer or a consumer.
class ClientRef {
 public:
  ClientRef(Producer& producer);  // NOLINT(google-explicit-constructor): either one will do
  ClientRef(Consumer& consumer);  // NOLINT(google-explicit-constructor)
  RdKafka::Handle& handle() const { return *handle_; }

 private:
  RdKafka::Handle* handle_;
};

struct TopicSpec {
  std::string name;
  int partitions = 1;
  int replication_factor = -1;  // -1: the broker's default.replication.factor
  std::vector<std::pair<std::string, std::string>> config;  // e.g. {"cleanup.policy", "compact"}
};

struct EnsureTopicResult {
  bool created = false;
  int partitions = 0;  // the topic's actual partition count
};

// Waits up to `timeout` for any broker to answer a metadata request. Throws KafkaException naming
// `bootstrap` and the last client error ("Connection refused", ...) otherwise. `events` (optional)
// supplies that error text; `abort` (optional) ends the wait early (e.g. Ctrl-C): KafkaException
// ERR__INTR.
// Returns the number of brokers in the cluster.
int check_connectivity(ClientRef client, const std::string& bootstrap,
                       std::chrono::milliseconds timeout, EventLog* events = nullptr,
                       const std::function<bool()>& abort = {});

// The topic's partition count, or nullopt if it does not exist. Does not auto-create it.
// Throws KafkaException if metadata cannot be fetched within `timeout`.
std::optional<int> partition_count(ClientRef client, const std::string& topic,
                                   std::chrono::milliseconds timeout);

// The topic's effective configuration (every entry, defaults included), or nullopt if it does
// not exist. Throws KafkaException when the broker does not answer within `timeout`.
std::optional<std::map<std::string, std::string>> topic_config(ClientRef client,
                                                               const std::string& topic,
                                                               std::chrono::milliseconds timeout);

// Creates the topic unless it exists (an existing topic is left as it is), then waits until its
// metadata is visible. Throws KafkaException/ConfigError.
EnsureTopicResult ensure_topic(ClientRef client, const TopicSpec& spec,
                               std::chrono::milliseconds timeout);

}  // namespace kafka
