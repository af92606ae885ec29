#include "cli/dlq_flags.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/checks.h"
#include "dlq/time_text.h"

namespace cli {

void add_dlq_common_flags(CLI::App& app, DlqCommonFlags& f) {
  app.add_option("--topic", f.topic, "dead-letter topic to read")
      ->capture_default_str()
      ->type_name("TOPIC")
      ->check(topic_name_check());
  app.add_option("--error-class", f.error_classes,
                 "only records of these classes: deserialization, validation, processing "
                 "(comma list or repeated)")
      ->type_name("CLASS[,CLASS]")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--since", f.since,
                 "only records that failed since: a duration back from now (10m, 2h) or a UTC "
                 "timestamp (2024-05-01, 2024-05-01T12:00:00Z)")
      ->type_name("DURATION|TIMESTAMP");
  app.add_option("--order-id", f.order_ids, "only this orderId (repeatable)")
      ->type_name("ID")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_flag("--json", f.json, "JSON on stdout (one object per line) instead of text");
  add_verbosity_flags(app, f.verbosity);
  add_kafka_options(app, f.kafka);
}

dlq::Filter build_filter(const DlqCommonFlags& f, std::int64_t now_ms) {
  dlq::Filter filter;
  for (const auto& csv : f.error_classes) filter.classes.merge(dlq::parse_error_classes(csv));
  if (f.since) filter.since_ms = dlq::parse_since(*f.since, now_ms);
  filter.order_ids.insert(f.order_ids.begin(), f.order_ids.end());
  return filter;
}

std::string describe_scope(const DlqCommonFlags& f, const dlq::Filter& filter) {
  std::string out = f.topic;
  std::vector<std::string> parts;
  if (!filter.classes.empty()) {
    std::string names;
    for (auto c : filter.classes) names += (names.empty() ? "" : ",") + std::string(to_string(c));
    parts.push_back("class " + names);
  }
  if (filter.since_ms) parts.push_back("since " + dlq::format_utc_ms(*filter.since_ms));
  if (filter.order_ids.size() == 1) parts.push_back("orderId " + *filter.order_ids.begin());
  if (filter.order_ids.size() > 1)
    parts.push_back(fmt::format("{} orderIds", filter.order_ids.size()));
  if (!parts.empty()) out += " (" + fmt::format("{}", fmt::join(parts, ", ")) + ")";
  return out;
}

void use_dlq_logger(const DlqCommonFlags& f) {
  apply_verbosity(f.verbosity);
}

}  // namespace cli
