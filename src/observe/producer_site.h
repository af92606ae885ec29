#pragma once
// `orders produce --http`: its counters, delivery latency and a page at /.
#include <cstdint>
#include <string>
#include <vector>

#include "observe/consumer_snapshot.h"
#include "observe/render_once.h"
#include "observe/site.h"
#include "stats/latency_histogram.h"

namespace observe {

struct ProducerSnapshot {
  BuildInfo build;
  std::string topic;
  double rate = 0;  // --rate, orders per second; 0: unpaced
  std::int64_t at_ms = 0;
  double uptime_seconds = 0;
  bool finished = false;  // all sent and flushed (or stopped)
  std::uint64_t requested = 0;
  std::uint64_t sent = 0;          // handed to the client
  std::uint64_t acknowledged = 0;  // acknowledged by the broker
  std::uint64_t failed = 0;        // delivery errors and refused enqueues
  std::uint64_t bytes = 0;         // key + value bytes acknowledged
  std::uint64_t in_flight = 0;     // in the client's queue
  stats::LatencyHistogram delivery;
  std::vector<RatePoint> history;  // consumed = sent, finished = acknowledged
  std::vector<RdkafkaStats> clients;
};

std::string render_producer_metrics(const ProducerSnapshot& s);
std::string render_producer_state(const ProducerSnapshot& s);

class ProducerSite : public Site {
 public:
  Response get(std::string_view path) const override;
  void publish(std::shared_ptr<const ProducerSnapshot> s) { latest_.publish(std::move(s)); }

 private:
  Latest<ProducerSnapshot> latest_;
  RenderOnce<ProducerSnapshot> metrics_{render_producer_metrics};
  RenderOnce<ProducerSnapshot> state_{render_producer_state};
};

}  // namespace observe
