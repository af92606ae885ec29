#include "util/stop_signal.h"

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>

namespace util {
namespace {

std::atomic<bool> g_stop{false};
int g_pipe[2] = {-1, -1};  // self-pipe: the handler writes, wait_for_stop() polls

void on_signal(int) {
  if (g_stop.exchange(true)) _exit(130);  // second Ctrl-C: the user insists
  if (g_pipe[1] >= 0) {
    char c = 1;
    [[maybe_unused]] auto n = write(g_pipe[1], &c, 1);
  }
}

}  // namespace

void install_stop_handlers() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  if (pipe(g_pipe) != 0) g_pipe[0] = g_pipe[1] = -1;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool stop_requested() {
  return g_stop.load(std::memory_order_relaxed);
}

bool wait_for_stop(std::chrono::milliseconds timeout) {
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
  if (g_stop.exchange(true) || g_pipe[1] < 0) return;
  char c = 1;
  [[maybe_unused]] auto n = write(g_pipe[1], &c, 1);
}

void reset_stop() {
  g_stop = false;
  if (g_pipe[0] < 0) return;
  pollfd pfd{g_pipe[0], POLLIN, 0};
  char buf[16];
  while (poll(&pfd, 1, 0) > 0 && read(g_pipe[0], buf, sizeof buf) > 0) {
  }
}

}  // namespace util
