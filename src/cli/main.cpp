// `orders`: one binary, one subcommand per concern (produce, consume, dlq, stats, ...).
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <exception>

#include "cli/commands.h"
#include "cli/exit_status.h"
#include "cli/logging.h"
#include "util/version.h"

int main(int argc, char** argv) {
  cli::setup_logging();  // stderr, "<time> INFO - message"; subcommands pick the level
  CLI::App app{
      "orders: Avro order events on Apache Kafka (produce, consume, dead-letter, aggregate)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("orders ") + util::kVersion);
  int exit_code = 0;
  cli::add_produce_command(app, exit_code);
  cli::add_consume_command(app, exit_code);
  cli::add_dlq_command(app, exit_code);
  cli::add_stats_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; every other parse error is a usage error, status 2 as documented (CLI11's
    // own codes, 105 and up, would tell scripts nothing).
    return app.exit(e) == 0 ? cli::kExitOk : cli::kExitUsage;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  return exit_code;
}
