#pragma once
// Routes librdkafka's log and error events to spdlog, and remembers the last error so that a
// startup check can say *why* a broker is unreachable, and the last statistics document for
// whoever shows them (--http). Called from librdkafka's threads.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace RdKafka {
class Event;
class EventCb;
}  // namespace RdKafka

namespace kafka {

class EventLog {
 public:
  explicit EventLog(std::string client_name);
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  void event_cb(RdKafka::Event& event);  // never throws
  // The callback object to install on a client's config (src/kafka only).
  RdKafka::EventCb* callback();

  std::string last_error() const;
  bool fatal_seen() const { return fatal_seen_.load(std::memory_order_relaxed); }
  // The last statistics document (statistics.interval.ms) not taken yet; nullopt if none new.
  std::optional<std::string> take_stats();
  // Connection errors are expected while a startup check is still trying: keep them at debug.
  void set_quiet_transport_errors(bool quiet) { quiet_transport_.store(quiet); }

 private:
  void on_error(RdKafka::Event& event);
  void on_log(RdKafka::Event& event);
  // Non-fatal noise (a broker going away) is repeated by librdkafka; one line per interval is
  // enough for a human, the rest stays at debug.
  bool allow_warning();

  class Bridge;

  std::string client_name_;
  std::unique_ptr<Bridge> bridge_;
  mutable std::mutex mu_;
  std::string last_error_;
  std::optional<std::string> stats_;  // guarded by mu_
  std::chrono::steady_clock::time_point last_warning_{};
  std::atomic<bool> fatal_seen_{false};
  std::atomic<bool> quiet_transport_{false};
};

}  // namespace kafka
