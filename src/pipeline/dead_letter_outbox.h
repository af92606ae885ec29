#pragma once
// Dead letters handed to the producer and not yet acknowledged, so each delivery report can be
// traced back to its source record. Dead letters of one source partition go to one DLQ
// partition, and an idempotent producer reports deliveries of a partition in produce order, so
// the oldest entry of that DLQ partition normally matches; key and size are checked anyway and
// the first matching entry is taken if the order ever differs.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/error_class.h"

namespace pipeline {

struct OutboxEntry {
  std::int32_t source_partition = 0;
  std::int64_t source_offset = 0;
  std::uint64_t epoch = 0;  // which assignment of the source partition sent it
  ErrorClass error_class = ErrorClass::processing;
  std::string key;  // as the delivery report shows it (a null key reads as empty)
  std::size_t value_size = 0;
};

class DeadLetterOutbox {
 public:
  void sent(std::int32_t dlq_partition, OutboxEntry entry);
  // The entry a delivery report (DLQ partition, key, value size) belongs to, removed from the
  // outbox; nullopt if none matches.
  std::optional<OutboxEntry> reported(std::int32_t dlq_partition, std::string_view key,
                                      std::size_t value_size);
  std::size_t in_flight() const { return in_flight_; }
  // Forgets every entry: their producer is gone, its reports will never come.
  void clear() {
    by_partition_.clear();
    in_flight_ = 0;
  }

 private:
  std::map<std::int32_t, std::deque<OutboxEntry>> by_partition_;
  std::size_t in_flight_ = 0;
};

}  // namespace pipeline
