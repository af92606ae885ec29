#include "dlq/summary.h"

#include <algorithm>

namespace dlq {

void Summary::add(const DlqRecord& record) {
  ++total;
  ++by_class[record.class_name()];
  if (record.info) {
    ++by_message[record.info->error_message];
    ++by_source_partition[{record.info->original_topic, record.info->original_partition}];
  } else {
    ++unreadable_headers;
    ++by_message[kUnreadableHeadersMessage];
  }
  if (record.order) {
    if (auto cents = order_value_cents(*record.order)) {
      value_cents += *cents;
      ++valued_orders;
    }
  } else {
    ++undecodable;
  }
  const std::int64_t at = record.failed_at_ms();
  oldest_failure_ms = oldest_failure_ms ? std::min(*oldest_failure_ms, at) : at;
  newest_failure_ms = newest_failure_ms ? std::max(*newest_failure_ms, at) : at;
}

}  // namespace dlq
