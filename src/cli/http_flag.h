#pragma once
// --http HOST:PORT, shared by consume, produce and dlq: where to serve the metrics and the page;
// --http-allow-host NAME: a name (besides the bound address) requests may use in their Host.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "kafka/config.h"
#include "observe/listen_address.h"

namespace cli {

// Both flags; a bad address or name is a usage error at parse time, and --http-allow-host needs
// --http. Returns the --http option.
CLI::Option* add_http_option(CLI::App& app, std::optional<observe::ListenAddress>& target,
                             std::vector<std::string>& allow_hosts, const std::string& what);

// With --http, librdkafka's statistics every few seconds (for /metrics), unless configured.
void enable_client_statistics(kafka::Properties& props);

}  // namespace cli
