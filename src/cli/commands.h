#pragma once
// Each subcommand lives in its own file and registers itself on the root app.
// The callback it installs stores the process exit status in `exit_code`.
#include <CLI/CLI.hpp>

namespace cli {

void add_produce_command(CLI::App& root, int& exit_code);
void add_consume_command(CLI::App& root, int& exit_code);
void add_dlq_command(CLI::App& root, int& exit_code);
void add_stats_command(CLI::App& root, int& exit_code);

}  // namespace cli
