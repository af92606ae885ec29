#pragma once
// Process-wide stop request set by SIGINT/SIGTERM. Long loops poll `stop_requested()`;
// blocking waits use `wait_for_stop()` so a signal ends them at once.
#include <chrono>

namespace util {

// How long a run may still spend committing or flushing once a stop is requested: the promise is
// that Ctrl-C ends it within 2 s. A scripted end (--max-messages, --idle-exit) gets longer.
inline constexpr std::chrono::milliseconds kStopBudget{1500};
inline constexpr std::chrono::milliseconds kFinalBudget{30000};

// Installs SIGINT/SIGTERM handlers (idempotent). A second signal while stopping exits at once.
void install_stop_handlers();
bool stop_requested();
// Sleeps up to `timeout`, returning early (true) if a stop was requested.
bool wait_for_stop(std::chrono::milliseconds timeout);
// For tests and for programmatic shutdown.
void request_stop();
void reset_stop();

}  // namespace util
