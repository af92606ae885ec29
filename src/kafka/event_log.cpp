#include "kafka/event_log.h"

#include <spdlog/spdlog.h>

#include "kafka/internal.h"

namespace kafka {
namespace {

constexpr auto kWarningInterval = std::chrono::seconds(5);

bool is_transport_noise(RdKafka::ErrorCode code) {
  return code == RdKafka::ERR__TRANSPORT || code == RdKafka::ERR__ALL_BROKERS_DOWN ||
         code == RdKafka::ERR__RESOLVE || code == RdKafka::ERR__TIMED_OUT;
}

}  // namespace

class EventLog::Bridge : public RdKafka::EventCb {
 public:
  explicit Bridge(EventLog& log) : log_(log) {}
  void event_cb(RdKafka::Event& event) override { log_.event_cb(event); }

 private:
  EventLog& log_;
};

EventLog::EventLog(std::string client_name)
    : client_name_(std::move(client_name)), bridge_(std::make_unique<Bridge>(*this)) {}
EventLog::~EventLog() = default;

RdKafka::EventCb* EventLog::callback() {
  return bridge_.get();
}

void EventLog::event_cb(RdKafka::Event& event) {
  try {
    switch (event.type()) {
      case RdKafka::Event::EVENT_ERROR:
        on_error(event);
        break;
      case RdKafka::Event::EVENT_LOG:
        on_log(event);
        break;
      case RdKafka::Event::EVENT_STATS: {
        std::lock_guard lock(mu_);
        stats_ = event.str();
        break;
      }
      case RdKafka::Event::EVENT_THROTTLE:
        spdlog::debug("kafka {}: throttled {} ms by broker {}", client_name_, event.throttle_time(),
                      event.broker_name());
        break;
      default:
        break;
    }
  } catch (...) {
    // Exceptions must not unwind through librdkafka's C frames.
  }
}

void EventLog::on_error(RdKafka::Event& event) {
  const std::string text = event.str().empty() ? RdKafka::err2str(event.err()) : event.str();
  {
    std::lock_guard lock(mu_);
    last_error_ = text;
  }
  if (event.fatal()) {
    fatal_seen_.store(true, std::memory_order_relaxed);
    spdlog::error("kafka {}: FATAL {}: {}", client_name_, RdKafka::err2str(event.err()), text);
    return;
  }
  const bool noise = is_transport_noise(event.err());
  if (noise && quiet_transport_.load()) {
    spdlog::debug("kafka {}: {}", client_name_, text);
  } else if (!noise || allow_warning()) {
    spdlog::warn("kafka {}: {}", client_name_, text);
  } else {
    spdlog::debug("kafka {}: {}", client_name_, text);
  }
}

void EventLog::on_log(RdKafka::Event& event) {
  // librdkafka reports errors twice (as a log line and an error event); the error event is the one
  // users see, the log lines are for -vv.
  if (event.severity() <= RdKafka::Event::EVENT_SEVERITY_ERROR) {
    // Log lines arrive from librdkafka's threads even when nobody polls, and their text is the
    // most specific one ("Connect to ipv4#127.0.0.1:1 failed: Connection refused").
    std::string text = event.str();
    if (text.rfind("[thrd:", 0) == 0) {
      if (auto end = text.find("]: "); end != std::string::npos) text.erase(0, end + 3);
    }
    std::lock_guard lock(mu_);
    last_error_ = std::move(text);
  }
  if (event.severity() <= RdKafka::Event::EVENT_SEVERITY_CRITICAL) {
    spdlog::error("kafka {}: {} {}", client_name_, event.fac(), event.str());
  } else {
    spdlog::debug("kafka {}: {} {}", client_name_, event.fac(), event.str());
  }
}

bool EventLog::allow_warning() {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (last_warning_ != std::chrono::steady_clock::time_point{} &&
      now - last_warning_ < kWarningInterval) {
    return false;
  }
  last_warning_ = now;
  return true;
}

std::optional<std::string> EventLog::take_stats() {
  std::lock_guard lock(mu_);
  std::optional<std::string> out;
  out.swap(stats_);
  return out;
}

std::string EventLog::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

}  // namespace kafka
