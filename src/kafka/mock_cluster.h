#pragma once
// librdkafka's in-process mock cluster, for fault injection in tests of the Kafka edge (slow or
// unreachable brokers on demand). Never a stand-in for the real broker: the integration tests
// and the demo run against Apache Kafka.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace kafka {

class MockCluster {
 public:
  explicit MockCluster(int brokers = 1);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  // bootstrap.servers for clients of this cluster.
  std::string bootstrap() const;
  void create_topic(const std::string& topic, int partitions);
  // Every answer of broker `id` (1-based) is delayed by `rtt`.
  void set_rtt(std::int32_t id, std::chrono::milliseconds rtt);
  // Broker `id` closes its connections and refuses new ones (true), or serves again.
  void set_down(std::int32_t id, bool down);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kafka
