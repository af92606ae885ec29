#include "dlq/filter.h"

#include <fmt/format.h>

#include <stdexcept>

namespace dlq {

bool Filter::matches(const DlqRecord& record) const {
  if (!classes.empty()) {
    auto c = record.error_class();
    if (!c || !classes.contains(*c)) return false;
  }
  if (since_ms && record.failed_at_ms() < *since_ms) return false;
  if (!order_ids.empty() && (!record.order || !order_ids.contains(record.order->order_id))) {
    return false;
  }
  return true;
}

std::set<pipeline::ErrorClass> parse_error_classes(std::string_view csv) {
  std::set<pipeline::ErrorClass> out;
  while (true) {
    const auto comma = csv.find(',');
    const auto name = csv.substr(0, comma);
    auto c = pipeline::parse_error_class(name);
    if (!c) {
      throw std::invalid_argument(fmt::format(
          "unknown error class '{}' (expected deserialization, validation or processing)", name));
    }
    out.insert(*c);
    if (comma == std::string_view::npos) break;
    csv.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace dlq
