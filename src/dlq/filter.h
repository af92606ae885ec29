#pragma once
// Which DLQ records a monitor or replay run looks at: --error-class, --since, --order-id.
// All given criteria must hold; an empty criterion admits everything.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

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

// The filter as the user wrote it, before parsing.
struct FilterSpec {
  std::vector<std::string> error_classes;  // each may be a comma list
  std::optional<std::string> since;        // a duration back from now, or a UTC timestamp
  std::vector<std::string> order_ids;
};

// Throws std::invalid_argument for a bad class name or `since`.
Filter parse_filter(const FilterSpec& spec, std::int64_t now_ms);
// "orders-dlq (class processing, since 2024-05-01T00:00:00.000Z, 2 orderIds)".
std::string describe_scope(const std::string& topic, const Filter& filter);

}  // namespace dlq
