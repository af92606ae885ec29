#pragma once
// What one `orders produce` run did, as plain data, and its two renderings: the text block (the
// original's PRODUCER METRICS) and the --json object whose key names scripts rely on.
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "stats/latency_histogram.h"

namespace stats {

struct ProduceMetrics {
  std::string topic;
  std::uint64_t requested = 0;  // COUNT asked for
  std::uint64_t generated = 0;  // orders handed to the client (may be < requested if stopped)
  std::uint64_t produced = 0;   // acknowledged by the broker (acks per config, default all)
  std::uint64_t failed = 0;     // generated but not acknowledged: delivery errors, rejected
                                // enqueues, and still in flight when the flush bound expired
  std::uint64_t unacknowledged_at_exit = 0;  // part of `failed`: no answer before exit
  std::uint64_t bytes = 0;   // key + value bytes of the produced (acknowledged) orders
  double seconds = 0;        // first enqueue -> last acknowledgement (or exit)
  bool interrupted = false;  // stopped early by SIGINT/SIGTERM
  std::optional<std::uint64_t> seed;
  std::string id_prefix;
  std::optional<std::string> first_order_id;
  std::optional<std::string> last_order_id;
  LatencyHistogram latency;  // enqueue -> acknowledgement, per produced order

  double msgs_per_sec() const;
  double mb_per_sec() const;  // 10^6 bytes
};

// {produced, failed, seconds, msgs_per_sec, mb_per_sec, latency_ms {avg, p50, p95, p99, max},
//  topic, first_order_id, last_order_id, requested, generated, unacknowledged_at_exit, bytes,
//  interrupted, seed, id_prefix}
nlohmann::json to_json(const ProduceMetrics& m);

// The final report block, one line per fact, ending with a newline.
std::string render_report(const ProduceMetrics& m);

}  // namespace stats
