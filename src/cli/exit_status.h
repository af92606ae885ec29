#pragma once
// One mapping from how a subcommand ended to its exit status, shared by every subcommand.
#include <functional>

namespace cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // work not done: Kafka unreachable or failing, not acked
inline constexpr int kExitUsage = 2;   // bad configuration: flags, properties, files
inline constexpr int kExitInterrupted = 130;  // Ctrl-C before anything was done

// Runs a subcommand and returns its status: what it returns, or for what it throws:
// kafka::ConfigError and util::UsageError → 2, util::Interrupted and a kafka::KafkaException
// ERR__INTR (a wait ended by a stop signal) → 130, anything else → 1.
// Each error is logged once, as it is.
int exit_status_of(const std::function<int()>& run);

}  // namespace cli
