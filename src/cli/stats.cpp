// `orders stats`: flags only, bound onto stats_tool::StatsOptions; the run is src/stats_tool.
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/checks.h"
#include "cli/commands.h"
#include "cli/exit_status.h"
#include "cli/kafka_options.h"
#include "cli/logging.h"
#include "stats_tool/stats_tool.h"

namespace cli {
namespace {

struct StatsFlags {
  stats_tool::StatsOptions run;
  KafkaOptions kafka;
  Verbosity verbosity;
};

int run(const StatsFlags& f) {
  apply_verbosity(f.verbosity);
  const bool ok =
      stats_tool::run_stats(f.run, resolve_kafka_properties(f.kafka, kafka::consumer_defaults()));
  return ok ? kExitOk : kExitFailed;
}

}  // namespace

void add_stats_command(CLI::App& root, int& exit_code) {
  auto flags = std::make_shared<StatsFlags>();
  auto* sub = root.add_subcommand(
      "stats",
      "Print the group-wide aggregate of a topic: every partition's latest checkpoint from the "
      "aggregates topic, merged (works while consumers run)");
  stats_tool::StatsOptions& f = flags->run;
  sub->add_option("--aggregates-topic", f.aggregates_topic,
                  "compacted topic the consumers checkpoint to")
      ->capture_default_str()
      ->type_name("TOPIC")
      ->check(topic_name_check());
  sub->add_option("--topic", f.topic, "source topic whose aggregate to show")
      ->capture_default_str()
      ->type_name("TOPIC")
      ->check(topic_name_check());
  sub->add_option("--group", f.group,
                  "consumer group whose checkpoints to merge (default: the only group that "
                  "checkpointed the topic)")
      ->type_name("GROUP");
  add_duration_option(*sub, "--timeout", f.timeout, "give up connecting/reading after this long",
                      true);
  sub->add_option("--max-products", f.max_products,
                  "products named in the merged aggregate; the rest are shown as '(other)'")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
  sub->add_flag("--json", f.json,
                "one JSON object: {topic, group, aggregates_topic, aggregate, partitions, errors}");
  add_kafka_options(*sub, flags->kafka);
  add_verbosity_flags(*sub, flags->verbosity);
  sub->callback([flags, &exit_code] { exit_code = exit_status_of([&] { return run(*flags); }); });
}

}  // namespace cli
