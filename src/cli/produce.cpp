// Placeholder until the produce command lands.
#include "cli/commands.h"
namespace cli {
void add_produce_command(CLI::App& root, int& exit_code) {
  auto* sub = root.add_subcommand("produce", "Produce Avro orders to Kafka");
  sub->callback([&exit_code] { exit_code = 1; });
}
}  // namespace cli
