#pragma once
// Owning handles for librdkafka's C objects: one deleter per rd_kafka_* type, so no file
// writes its own. Like kafka/internal.h, for src/kafka's .cpp files only.
#include <librdkafka/rdkafka.h>

#include <memory>

namespace kafka {

template <auto Destroy>
struct CDeleter {
  template <class T>
  void operator()(T* p) const {
    if (p) Destroy(p);
  }
};

using NewTopicPtr = std::unique_ptr<rd_kafka_NewTopic_t, CDeleter<rd_kafka_NewTopic_destroy>>;
using AdminOptionsPtr =
    std::unique_ptr<rd_kafka_AdminOptions_t, CDeleter<rd_kafka_AdminOptions_destroy>>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, CDeleter<rd_kafka_queue_destroy>>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, CDeleter<rd_kafka_event_destroy>>;
using ConfigResourcePtr =
    std::unique_ptr<rd_kafka_ConfigResource_t, CDeleter<rd_kafka_ConfigResource_destroy>>;
using ErrorPtr = std::unique_ptr<rd_kafka_error_t, CDeleter<rd_kafka_error_destroy>>;

}  // namespace kafka
