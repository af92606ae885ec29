#pragma once
// What a DLQ holds, in figures: totals by class, message and source partition, the value of the
// failed orders in exact cents, and the failure time range. Plain value type, fed record by record.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "dlq/dlq_record.h"

namespace dlq {

struct Summary {
  std::uint64_t total = 0;
  std::uint64_t undecodable = 0;                    // values that are not an Order
  std::uint64_t unreadable_headers = 0;             // records without a readable dlq.* set
  std::map<std::string, std::uint64_t> by_class;    // class_name() -> count
  std::map<std::string, std::uint64_t> by_message;  // dlq.error.message -> count
  std::map<std::pair<std::string, std::int32_t>, std::uint64_t> by_source_partition;
  std::int64_t value_cents = 0;     // sum of order_value_cents over the records that have one
  std::uint64_t valued_orders = 0;  // how many records that sum covers
  std::optional<std::int64_t> oldest_failure_ms;
  std::optional<std::int64_t> newest_failure_ms;

  void add(const DlqRecord& record);
};

// by_message key used for records whose dlq.* headers could not be read.
inline constexpr const char* kUnreadableHeadersMessage = "(no readable dlq.* headers)";

}  // namespace dlq
