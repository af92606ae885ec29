#pragma once
// Builders for DLQ records in unit tests: what the consumer would have dead-lettered.
#include <cstdint>
#include <optional>
#include <string>

#include "dlq/dlq_record.h"
#include "orders/order_codec.h"
#include "pipeline/dead_letter.h"

namespace dlq_test {

struct Spec {
  std::optional<orders::Order> order = orders::Order{"ORD-1", "Laptop", 799.99f};
  std::optional<std::string> raw_value;  // used instead of `order` when set
  pipeline::ErrorClass error_class = pipeline::ErrorClass::processing;
  std::string message = "max retries exceeded: simulated failure";
  int attempts = 3;
  std::string source_topic = "orders";
  std::int32_t source_partition = 0;
  std::int64_t source_offset = 0;
  std::int64_t failed_at_ms = 1'714'566'896'789;
  pipeline::Headers original_headers = {{"trace-id", "t-1"}};
  std::int32_t dlq_partition = 0;
  std::int64_t dlq_offset = 0;
};

inline pipeline::SourceRecord source_record(const Spec& s) {
  pipeline::SourceRecord original;
  original.topic = s.source_topic;
  original.partition = s.source_partition;
  original.offset = s.source_offset;
  original.timestamp_ms = s.failed_at_ms - 5000;
  original.key = s.order ? s.order->order_id : "k";
  if (s.raw_value) {
    original.value = s.raw_value;
  } else if (s.order) {
    original.value = orders::encode_order(*s.order);
  }
  original.headers = s.original_headers;

  pipeline::SourceRecord dlq = original;
  dlq.topic = "orders-dlq";
  dlq.partition = s.dlq_partition;
  dlq.offset = s.dlq_offset;
  dlq.timestamp_ms = s.failed_at_ms + 3;
  dlq.headers = pipeline::dead_letter_headers(
      original, pipeline::DeadLetter{s.error_class, s.message, s.attempts},
      {"order-processors", "host-a", s.failed_at_ms});
  return dlq;
}

inline dlq::DlqRecord record(const Spec& s) {
  return dlq::to_dlq_record(source_record(s));
}

}  // namespace dlq_test
