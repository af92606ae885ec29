#pragma once
// `orders dlq` and `orders dlq replay` as functions. Both print their records and report on
// stdout (text or --json). Both throw util::UsageError for a bad filter or option combination,
// kafka::ConfigError for a bad property and KafkaException when the dead-letter topic cannot be
// read.
#include <string>

#include "dlq_tools/options.h"
#include "kafka/config.h"

namespace dlq_tools {

// Reads the dead-letter topic to the end it had at the start (or on until Ctrl-C when
// following), printing each matching record and then a summary.
void run_monitor(const MonitorOptions& options, const kafka::Properties& consumer_props);

// Re-publishes the selected records, exactly once per replay group (see replayer.h). Returns
// whether the run ended without problems; the problems are reported and logged.
bool run_replay(const ReplayOptions& options, const kafka::Properties& consumer_props,
                const kafka::Properties& producer_props);

// "orders-dlq-replay.<group>.<dlq topic>".
std::string default_transactional_id(const std::string& group, const std::string& dlq_topic);

}  // namespace dlq_tools
