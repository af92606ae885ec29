#pragma once
// What one `orders stats` run is told. The CLI binds its flags straight onto these fields, so
// the defaults here are the defaults of the flags.
#include <chrono>
#include <cstddef>
#include <string>

#include "stats/aggregate.h"
#include "util/duration.h"

namespace stats_tool {

struct StatsOptions {
  std::string aggregates_topic = "orders-aggregates";
  std::string topic = "orders";
  std::string group;  // empty: the only group with checkpoints of `topic`
  util::Duration timeout = std::chrono::seconds(30);
  std::size_t max_products = stats::kDefaultMaxProducts;
  bool json = false;  // one JSON object on stdout instead of the text report
};

}  // namespace stats_tool
