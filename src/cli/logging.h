#pragma once
// Logging for every subcommand: spdlog to stderr in the original's "INFO - message" style (with a
// timestamp in front), level chosen per subcommand by -v (repeatable) / -q.
#include <CLI/CLI.hpp>

namespace cli {

struct Verbosity {
  int verbose = 0;     // -v: per-message lines; -vv: debug (incl. librdkafka logs); -vvv: trace
  bool quiet = false;  // -q: warnings and errors only
};

// Installs the stderr logger (idempotent). Called from main before parsing.
void setup_logging();
void add_verbosity_flags(CLI::App& app, Verbosity& verbosity);
// Sets the log level; call first thing in a subcommand's callback.
void apply_verbosity(const Verbosity& verbosity);

}  // namespace cli
