#pragma once
// Flags of `orders dlq` (monitor) and `orders dlq replay`, and turning them into the pure
// options of src/dlq. Both subcommands carry their own copy of the shared flags.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/kafka_options.h"
#include "cli/logging.h"
#include "dlq/filter.h"

namespace cli {

struct DlqCommonFlags {
  KafkaOptions kafka;
  std::string topic = "orders-dlq";
  std::vector<std::string> error_classes;  // each may be a comma list
  std::optional<std::string> since;
  std::vector<std::string> order_ids;
  bool json = false;
  Verbosity verbosity;
};

struct DlqMonitorFlags {
  DlqCommonFlags common;
  std::optional<std::string> group;  // none: read everything, change nothing
  bool follow = false;
  bool summary_only = false;
};

struct DlqReplayFlags {
  DlqCommonFlags common;
  std::string group = "orders-dlq-replay";
  std::optional<std::string> to;
  bool force = false;
  std::optional<std::uint64_t> limit;
  bool dry_run = false;
  double rate = 0;            // replayed records per second; 0: as fast as acknowledged
  std::uint32_t batch = 500;  // records per transaction (at most; also cut every second)
  std::optional<std::string> transactional_id;
};

void add_dlq_common_flags(CLI::App& app, DlqCommonFlags& flags);

// Throws std::invalid_argument for a bad class name or --since.
dlq::Filter build_filter(const DlqCommonFlags& flags, std::int64_t now_ms);
// "topic orders-dlq, class processing, since 2024-05-01T00:00:00.000Z, 2 order ids".
std::string describe_scope(const DlqCommonFlags& flags, const dlq::Filter& filter);

// Routes spdlog to stderr (stdout carries reports) at the level the flags ask for.
void use_dlq_logger(const DlqCommonFlags& flags);

int run_dlq_monitor(const DlqMonitorFlags& flags);
int run_dlq_replay(const DlqReplayFlags& flags);

}  // namespace cli
