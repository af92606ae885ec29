#include "util/stop_signal.h"

#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <thread>

namespace util {
namespace {

using std::chrono::milliseconds;

// Kept for closing and the final report after the last bounded wait.
constexpr milliseconds kMargin{2500};

std::atomic<bool> g_stop{false};
std::atomic<std::int64_t> g_signal_ms{-1};  // CLOCK_MONOTONIC of the first signal, -1: none
int g_pipe[2] = {-1, -1};                   // self-pipe: the handler writes, wait_for_stop() polls
int g_watch[2] = {-1, -1};                  // the handler wakes the watchdog

std::int64_t monotonic_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);  // async-signal-safe
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void wake(int fd) {
  if (fd < 0) return;
  char c = 1;
  [[maybe_unused]] auto n = write(fd, &c, 1);
}

void on_signal(int) {
  if (g_stop.exchange(true)) _exit(130);  // second Ctrl-C: the user insists
  std::int64_t none = -1;
  g_signal_ms.compare_exchange_strong(none, monotonic_ms());
  wake(g_pipe[1]);
  wake(g_watch[1]);
}

void say(const char* text) {
  std::size_t len = 0;
  while (text[len] != '\0') ++len;
  [[maybe_unused]] auto n = write(STDERR_FILENO, text, len);
}

// Sleeps until a signal came, then until kHardStopAfter past it; then the process ends, whatever
// it still waits for (a frozen broker can hold librdkafka's close for a minute).
void watchdog() {
  pollfd pfd{g_watch[0], POLLIN, 0};
  while (poll(&pfd, 1, -1) < 0) {
  }
  while (true) {
    const std::int64_t left = g_signal_ms.load() + kHardStopAfter.count() - monotonic_ms();
    if (left <= 0) break;
    usleep(static_cast<useconds_t>(std::min<std::int64_t>(left, 200)) * 1000);
  }
  say("\nERROR - stopping took longer than 8.5 s (is the Kafka broker unreachable?): exiting "
      "now. Work not committed yet was not lost: the next run reads it again.\n");
  _exit(kHardStopStatus);
}

}  // namespace

void install_stop_handlers() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  if (pipe(g_pipe) != 0) g_pipe[0] = g_pipe[1] = -1;
  if (pipe(g_watch) == 0) {
    std::thread(watchdog).detach();
  } else {
    g_watch[0] = g_watch[1] = -1;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool stop_requested() {
  return g_stop.load(std::memory_order_relaxed);
}

bool wait_for_stop(milliseconds timeout) {
  if (stop_requested()) return true;
  if (g_pipe[0] < 0) {
    usleep(static_cast<useconds_t>(timeout.count()) * 1000);
    return stop_requested();
  }
  pollfd pfd{g_pipe[0], POLLIN, 0};
  poll(&pfd, 1, static_cast<int>(timeout.count()));
  return stop_requested();  // the pipe stays readable once signalled: later waits return at once
}

void request_stop() {
  if (g_stop.exchange(true)) return;
  wake(g_pipe[1]);
}

void reset_stop() {
  g_stop = false;
  if (g_pipe[0] < 0) return;
  pollfd pfd{g_pipe[0], POLLIN, 0};
  char buf[16];
  while (poll(&pfd, 1, 0) > 0 && read(g_pipe[0], buf, sizeof buf) > 0) {
  }
}

milliseconds bounded_budget(milliseconds budget, bool stopping, milliseconds since_signal) {
  if (!stopping) return budget;
  const milliseconds left = kHardStopAfter - kMargin - since_signal;
  return std::clamp(left, milliseconds(1), std::max(budget, milliseconds(1)));
}

milliseconds stop_bounded(milliseconds budget) {
  const std::int64_t at = g_signal_ms.load();
  return bounded_budget(budget, at >= 0, milliseconds(at >= 0 ? monotonic_ms() - at : 0));
}

}  // namespace util
