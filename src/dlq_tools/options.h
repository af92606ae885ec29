#pragma once
// What one `orders dlq` (monitor) or `orders dlq replay` run is told. The CLI binds its flags
// straight onto these fields, so the defaults here are the defaults of the flags.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dlq/filter.h"
#include "observe/listen_address.h"
#include "registry/options.h"

namespace dlq_tools {

// What both subcommands share; each carries its own copy.
struct CommonOptions {
  std::string topic = "orders-dlq";
  dlq::FilterSpec filter;
  bool json = false;           // one JSON object per line on stdout instead of text
  registry::Options registry;  // reads framed values with their writer schema
};

struct MonitorOptions {
  CommonOptions common;
  std::optional<std::string> group;  // none: read everything, change nothing
  bool follow = false;
  bool summary_only = false;
  std::optional<observe::ListenAddress> http;  // --http (with --follow): the DLQ page
  std::vector<std::string> http_allow_hosts;   // --http-allow-host: more names for the Host rule
};

struct ReplayOptions {
  CommonOptions common;
  std::string group = "orders-dlq-replay";
  std::optional<std::string> to;
  std::vector<std::string> allow_topics;               // empty: dlq::default_allowed(common.topic)
  std::string aggregates_topic = "orders-aggregates";  // never a target
  bool skip_refused = false;
  bool force = false;
  std::optional<std::uint64_t> limit;
  bool dry_run = false;
  double rate = 0;            // replayed records per second; 0: as fast as acknowledged
  std::uint32_t batch = 500;  // records per transaction (at most; also cut every second)
  // default: default_transactional_id(group, common.topic)
  std::optional<std::string> transactional_id;
};

}  // namespace dlq_tools
