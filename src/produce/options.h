#pragma once
// What one `orders produce` run is told. The CLI binds its flags straight onto these fields, so
// the defaults here are the defaults of the flags.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "observe/listen_address.h"
#include "registry/options.h"

namespace produce {

struct ProduceOptions {
  std::int64_t count = 10;  // signed so that "-5" is rejected instead of wrapping around
  double delay_seconds = 0;
  std::optional<double> rate;  // orders per second, instead of delay_seconds
  std::string topic = "orders";
  std::optional<std::uint64_t> seed;  // default: random (reported)
  std::optional<std::string> run_id;
  std::optional<std::string> id_prefix;
  int partitions = 6;  // for a topic that does not exist yet; 0: do not create
  bool partitions_given = false;
  double connect_timeout = 10;          // seconds
  std::optional<double> flush_timeout;  // seconds; default: message.timeout.ms + 2 s
  std::optional<std::string> dump_orders;
  registry::Options registry;                  // with a URL: every record is Confluent-framed
  bool log_each = false;                       // one line per order and per acknowledgement
  bool progress = false;                       // a status line, when stderr is a terminal
  std::optional<observe::ListenAddress> http;  // --http: metrics and a page while producing
  std::vector<std::string> http_allow_hosts;   // --http-allow-host: more names for the Host rule
};

}  // namespace produce
