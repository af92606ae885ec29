#pragma once
// The --process flags of `orders consume`: process each order by a POST to the user's own
// service (process::HttpProcessor; docs/processing.md).
#include <CLI/CLI.hpp>
#include <optional>

#include "process/http_settings.h"
#include "util/duration.h"

namespace cli {

struct ProcessFlags {
  process::HttpSettings settings;  // url empty: no --process given
  util::Duration timeout = std::chrono::seconds(10);
  util::Duration connect_timeout = std::chrono::seconds(5);
};

// --process URL, --process-timeout, --process-connect-timeout, --process-ca, --process-cert,
// --process-key, --process-header-file, --process-max-body; all but --process need --process.
// Returns the --process option (for excludes/needs with other flags).
CLI::Option* add_process_options(CLI::App& app, ProcessFlags& flags);

// The settings --process asked for (durations rounded up to milliseconds), or nullopt without
// --process. Throws util::UsageError naming the flag when they cannot work (bad URL or scheme,
// an unreadable file, a certificate without its key).
std::optional<process::HttpSettings> process_settings(const ProcessFlags& flags);

}  // namespace cli
