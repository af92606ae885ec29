#pragma once
// One produce run's state, shared by its setup (produce.cpp) and its send loop (loop.cpp).
#include <chrono>
#include <cstdint>
#include <deque>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "http/server.h"
#include "kafka/config.h"
#include "kafka/producer.h"
#include "observe/producer_site.h"
#include "orders/generator.h"
#include "orders/order.h"
#include "produce/options.h"
#include "produce/progress_line.h"
#include "stats/produce_report.h"
#include "util/rate_pacer.h"

namespace produce {

using Clock = std::chrono::steady_clock;

// Everything the delivery-report handler touches. Single-threaded: reports are served by poll()
// and flush() on the producing thread.
struct DeliveryState {
  stats::ProduceMetrics* metrics = nullptr;
  std::uint64_t delivery_failures = 0;
  bool log_each = false;
};

void on_delivery(DeliveryState& st, const kafka::DeliveryReport& r);

class Session {
 public:
  Session(const ProduceOptions& o, const kafka::Properties& props, std::uint64_t seed,
          std::string prefix);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Broker reachable and topic there; throws otherwise.
  void connect();
  // With --schema-registry: registers (or only looks up) the Order schema; from then on every
  // record is framed with its id. Throws UsageError (exit 2) when the registry refuses it.
  void register_schema();
  // Generates and enqueues orders until the count is reached, a stop is requested or the
  // producer fails fatally; then flushes (bounded) and completes the metrics.
  stats::ProduceMetrics run();

 private:
  void wait_for_turn(std::uint64_t index);
  bool send_one(std::uint64_t index);  // false: the producer is unusable
  void flush();
  stats::ProduceMetrics finish();
  void show_progress(Clock::time_point now);
  // observe.cpp: --http, a snapshot a few times a second from the send loop.
  void start_http();
  void publish_state(Clock::time_point now, bool force = false);

  const ProduceOptions& o_;
  const kafka::Properties& props_;
  std::string prefix_;
  stats::ProduceMetrics metrics_;
  DeliveryState delivery_;
  orders::OrderGenerator generator_;
  std::unique_ptr<kafka::Producer> producer_;
  std::ofstream dump_;
  util::RatePacer pacer_;
  ProgressLine progress_;
  orders::Order order_;
  std::string value_;
  std::optional<std::uint32_t> schema_id_;
  std::uint64_t enqueue_failures_ = 0;
  Clock::time_point start_;
  Clock::time_point next_progress_;
  int left_in_queue_ = 0;

  // --http (null without it); the site outlives the server that reads it.
  std::unique_ptr<observe::ProducerSite> site_;
  std::unique_ptr<http::Server> server_;
  Clock::time_point next_publish_{};
  Clock::time_point next_history_{};
  std::deque<observe::RatePoint> history_;
  observe::RdkafkaStats client_stats_;
  bool finished_ = false;
};

}  // namespace produce
