#include "dlq/filter.h"

#include <fmt/format.h>

#include <stdexcept>

#include "dlq/time_text.h"

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

Filter parse_filter(const FilterSpec& spec, std::int64_t now_ms) {
  Filter filter;
  for (const auto& csv : spec.error_classes) filter.classes.merge(parse_error_classes(csv));
  if (spec.since) filter.since_ms = parse_since(*spec.since, now_ms);
  filter.order_ids.insert(spec.order_ids.begin(), spec.order_ids.end());
  return filter;
}

std::string describe_scope(const std::string& topic, const Filter& filter) {
  std::string out = topic;
  std::vector<std::string> parts;
  if (!filter.classes.empty()) {
    std::string names;
    for (auto c : filter.classes) names += (names.empty() ? "" : ",") + std::string(to_string(c));
    parts.push_back("class " + names);
  }
  if (filter.since_ms) parts.push_back("since " + format_utc_ms(*filter.since_ms));
  if (filter.order_ids.size() == 1) parts.push_back("orderId " + *filter.order_ids.begin());
  if (filter.order_ids.size() > 1)
    parts.push_back(fmt::format("{} orderIds", filter.order_ids.size()));
  if (!parts.empty()) out += " (" + fmt::format("{}", fmt::join(parts, ", ")) + ")";
  return out;
}

}  // namespace dlq
