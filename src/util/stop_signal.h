#pragma once
// Process-wide stop request set by SIGINT/SIGTERM. Long loops poll `stop_requested()`;
// blocking waits use `wait_for_stop()` so a signal ends them at once.
#include <chrono>

namespace util {

// Installs SIGINT/SIGTERM handlers (idempotent). A second signal while stopping exits at once.
void install_stop_handlers();
bool stop_requested();
// Sleeps up to `timeout`, returning early (true) if a stop was requested.
bool wait_for_stop(std::chrono::milliseconds timeout);
// For tests and for programmatic shutdown.
void request_stop();
void reset_stop();

}  // namespace util
