#pragma once
// Which DLQ records a monitor or replay run looks at: --error-class, --since, --order-id.
// All given criteria must hold; an empty criterion admits everything.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "dlq/dlq_record.h"
#include "pipeline/error_class.h"

namespace dlq {

struct Filter {
  std::set<pipeline::ErrorClass> classes;  // records with unreadable headers match no class
  std::optional<std::int64_t> since_ms;    // failed at or after (dlq.failed.at)
  std::set<std::string> order_ids;         // exact orderId; undecodable values never match

  bool matches(const DlqRecord& record) const;
  bool empty() const { return classes.empty() && !since_ms && order_ids.empty(); }
};

// "processing" or "validation,processing". Throws std::invalid_argument on an unknown name.
std::set<pipeline::ErrorClass> parse_error_classes(std::string_view csv);

}  // namespace dlq
