#include "kafka/mock_cluster.h"

#include <stdexcept>

#include "kafka/internal.h"  // rdkafka.h first: rdkafka_mock.h needs it
// clang-format off
#include <librdkafka/rdkafka_mock.h>
// clang-format on

namespace kafka {

struct MockCluster::Impl {
  rd_kafka_t* rk = nullptr;  // the handle librdkafka runs the cluster on
  rd_kafka_mock_cluster_t* cluster = nullptr;

  ~Impl() {
    if (cluster) rd_kafka_mock_cluster_destroy(cluster);
    if (rk) rd_kafka_destroy(rk);
  }
};

namespace {
void check(rd_kafka_resp_err_t err, const char* what) {
  if (err) throw KafkaException(Error::from_code(code_of(err), what));
}
}  // namespace

MockCluster::MockCluster(int brokers) : impl_(std::make_unique<Impl>()) {
  char errstr[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof errstr);
  impl_->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!impl_->rk) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("mock cluster handle: ") + errstr);
  }
  impl_->cluster = rd_kafka_mock_cluster_new(impl_->rk, brokers);
  if (!impl_->cluster) throw std::runtime_error("cannot create a librdkafka mock cluster");
}

MockCluster::~MockCluster() = default;

std::string MockCluster::bootstrap() const {
  return rd_kafka_mock_cluster_bootstraps(impl_->cluster);
}

void MockCluster::create_topic(const std::string& topic, int partitions) {
  check(rd_kafka_mock_topic_create(impl_->cluster, topic.c_str(), partitions, 1),
        "mock topic create");
}

void MockCluster::set_rtt(std::int32_t id, std::chrono::milliseconds rtt) {
  check(rd_kafka_mock_broker_set_rtt(impl_->cluster, id, static_cast<int>(rtt.count())),
        "mock broker rtt");
}

void MockCluster::set_down(std::int32_t id, bool down) {
  check(down ? rd_kafka_mock_broker_set_down(impl_->cluster, id)
             : rd_kafka_mock_broker_set_up(impl_->cluster, id),
        "mock broker state");
}

}  // namespace kafka
