#pragma once
// --http HOST:PORT, shared by consume, produce and dlq: where to serve the metrics and the page.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "kafka/config.h"
#include "observe/listen_address.h"

namespace cli {

// A bad address is a usage error at parse time.
CLI::Option* add_http_option(CLI::App& app, std::optional<observe::ListenAddress>& target,
                             const std::string& what);

// With --http, librdkafka's statistics every few seconds (for /metrics), unless configured.
void enable_client_statistics(kafka::Properties& props);

}  // namespace cli
