#pragma once
// Process-wide stop request set by SIGINT/SIGTERM. Long loops poll `stop_requested()`;
// blocking waits use `wait_for_stop()` so a signal ends them at once.
//
// The promise: a stop signal ends any subcommand within kStopLimit, even with the broker
// unreachable or frozen. Waits that can be told a timeout are bounded by stop_bounded(); what
// cannot be (librdkafka's consumer close, a handle's destruction) is covered by a watchdog that
// ends the process kHardStopAfter the first signal, saying so, with exit status
// kHardStopStatus: work not committed by then is simply read again by the next run.
#include <chrono>

namespace util {

// How long a run may still spend committing or flushing once a stop is requested. A scripted end
// (--max-messages, --idle-exit) gets longer.
inline constexpr std::chrono::milliseconds kStopBudget{1500};
inline constexpr std::chrono::milliseconds kFinalBudget{30000};
inline constexpr std::chrono::milliseconds kStopLimit{10000};
inline constexpr std::chrono::milliseconds kHardStopAfter{8500};
inline constexpr int kHardStopStatus = 1;  // cli::kExitFailed: work not (all) committed

// Installs SIGINT/SIGTERM handlers and the watchdog (idempotent). A second signal while stopping
// exits at once (status 130).
void install_stop_handlers();
bool stop_requested();
// Sleeps up to `timeout`, returning early (true) if a stop was requested.
bool wait_for_stop(std::chrono::milliseconds timeout);
// For tests and for programmatic shutdown (it does not arm the watchdog).
void request_stop();
void reset_stop();

// `budget`, or less once a stop signal came: what is left until the watchdog's deadline, minus a
// margin for what follows (closing, the report). At least 1 ms.
std::chrono::milliseconds stop_bounded(std::chrono::milliseconds budget);
// The rule itself, for tests: `since_signal` is how long ago the first signal came (none: not
// stopping).
std::chrono::milliseconds bounded_budget(std::chrono::milliseconds budget, bool stopping,
                                         std::chrono::milliseconds since_signal);

}  // namespace util
