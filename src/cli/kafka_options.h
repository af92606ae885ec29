#pragma once
// The Kafka connection flags every subcommand shares: --bootstrap, -X key=value (repeatable) and
// --config FILE, resolved with the precedence documented in kafka/config.h.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "kafka/config.h"

namespace cli {

struct KafkaOptions {
  std::optional<std::string> bootstrap;
  std::vector<std::string> overrides;  // -X
  std::optional<std::string> config_file;
};

void add_kafka_options(CLI::App& app, KafkaOptions& options);

// Defaults ← --config ← $KAFKA_BOOTSTRAP_SERVERS ← -X ← --bootstrap. Throws kafka::ConfigError.
kafka::Properties resolve_kafka_properties(const KafkaOptions& options,
                                           const kafka::Properties& role_defaults);

}  // namespace cli
