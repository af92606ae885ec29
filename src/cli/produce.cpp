// `orders produce [COUNT] [DELAY_SECONDS]`: the flags, bound onto produce::ProduceOptions; the run
// itself is src/produce.
#include "produce/produce.h"

#include <spdlog/spdlog.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/checks.h"
#include "cli/commands.h"
#include "cli/exit_status.h"
#include "cli/http_flag.h"
#include "cli/kafka_options.h"
#include "cli/logging.h"
#include "cli/registry_options.h"
#include "util/printable.h"

namespace cli {
namespace {

struct ProduceFlags {
  produce::ProduceOptions run;
  KafkaOptions kafka;
  Verbosity verbosity;
  bool json = false;
};

int run_produce(ProduceFlags& f) {
  apply_verbosity(f.verbosity);
  f.run.log_each = f.verbosity.verbose >= 1;
  f.run.progress = !f.verbosity.quiet && f.verbosity.verbose == 0;
  auto props = resolve_kafka_properties(f.kafka, kafka::producer_defaults());
  if (f.run.http) enable_client_statistics(props);
  const stats::ProduceMetrics metrics = produce::run_produce(f.run, props);
  if (f.json) {
    std::cout << util::json_line(stats::to_json(metrics)) << std::endl;
  } else {
    std::cout << stats::render_report(metrics) << std::flush;
  }
  if (metrics.failed > 0) {
    spdlog::error("{} of {} order(s) were not acknowledged", metrics.failed, metrics.generated);
    return kExitFailed;
  }
  return kExitOk;
}

void add_pacing_flags(CLI::App& sub, produce::ProduceOptions& o) {
  sub.add_option("COUNT", o.count, "number of orders to produce")
      ->check(at_least_zero())
      ->capture_default_str();
  auto* delay = sub.add_option("DELAY_SECONDS", o.delay_seconds,
                               "seconds between orders, like the original (e.g. 0.5)")
                    ->check(at_least_zero())
                    ->check(seconds_limit())
                    ->capture_default_str();
  sub.add_option("--rate", o.rate, "orders per second, N or N/s (instead of DELAY_SECONDS)")
      ->type_name("N[/s]")
      ->transform([](std::string value) {
        // "500/s" reads as it is written in the docs; the unit is optional.
        if (value.size() > 2 && value.ends_with("/s")) value.resize(value.size() - 2);
        return value;
      })
      ->check(above_zero())
      ->excludes(delay);
}

void add_identity_flags(CLI::App& sub, produce::ProduceOptions& o) {
  sub.add_option("--seed", o.seed,
                 "PRNG seed: the same seed gives the same products and prices (default: random, "
                 "reported in --json)")
      ->type_name("N");
  auto* run_id = sub.add_option("--run-id", o.run_id,
                                "run id embedded in order ids: ORD-<RUN_ID>-00001 (default: a "
                                "random 6-character id, so runs never collide)")
                     ->check(plain_name_check(64));
  sub.add_option("--id-prefix", o.id_prefix,
                 "whole id prefix: <PREFIX>-00001 (--id-prefix ORD gives the original's "
                 "ORD-00001)")
      ->check(plain_name_check(64))
      ->excludes(run_id);
}

}  // namespace

void add_produce_command(CLI::App& root, int& exit_code) {
  auto flags = std::make_shared<ProduceFlags>();
  auto& o = flags->run;
  auto* sub = root.add_subcommand("produce", "Generate orders and produce them to Kafka as Avro");
  add_pacing_flags(*sub, o);
  sub->add_option("--topic", o.topic, "topic to produce to")
      ->capture_default_str()
      ->type_name("TOPIC")
      ->check(topic_name_check());
  auto* partitions =
      sub->add_option("--partitions", o.partitions,
                      "if the topic does not exist, create it with N partitions (replication: "
                      "broker default); an existing topic is used as it is; 0: do not create")
          ->type_name("N")
          ->check(CLI::Range(0, 100000))
          ->capture_default_str();
  add_identity_flags(*sub, o);
  sub->add_flag("--json", flags->json, "print the final report as one JSON object on stdout");
  sub->add_option("--connect-timeout", o.connect_timeout,
                  "seconds to wait for the broker at startup")
      ->check(above_zero())
      ->check(seconds_limit())
      ->capture_default_str();
  sub->add_option("--flush-timeout", o.flush_timeout,
                  "seconds to wait for outstanding acknowledgements at exit (default: "
                  "message.timeout.ms + 2s, so every order gets an answer)")
      ->check(at_least_zero())
      ->check(seconds_limit());
  add_http_option(*sub, o.http, o.http_allow_hosts,
                  "/metrics (Prometheus), /healthz, /api/state and a page at /");
  sub->add_option("--dump-orders", o.dump_orders,
                  "write every produced order as a JSON line to FILE (testing aid)")
      ->group("");
  add_verbosity_flags(*sub, flags->verbosity);
  add_kafka_options(*sub, flags->kafka);
  add_registry_options(*sub, o.registry);
  sub->add_flag("--no-auto-register{false}", o.registry.auto_register,
                "with --schema-registry: only look the Order schema up under its subject, never "
                "register it (exit 2 if it is not there)")
      ->group("Schema registry");
  sub->footer(
      "Orders are keyed by orderId. Producer defaults: acks=all, enable.idempotence=true,\n"
      "compression.type=snappy, linger.ms=5, message.timeout.ms=30000 (override with -X).\n"
      "Ctrl-C/SIGTERM stops generating, flushes what is in flight and prints the report; a second\n"
      "Ctrl-C exits at once.\n"
      "Values are schemaless Avro, as the original wrote them; with --schema-registry they are\n"
      "Confluent-framed (0x00, schema id, Avro) with the Order schema registered under the "
      "subject.\n"
      "Exit status: 0 all generated orders acknowledged; 1 some were not, or Kafka or the "
      "registry\n"
      "unreachable; 2 bad configuration or schema refused by the registry; 130 interrupted before\n"
      "producing.\n" +
      sub->get_footer());
  sub->callback([flags, partitions, &exit_code] {
    flags->run.partitions_given = partitions->count() > 0;
    exit_code = exit_status_of([&] { return run_produce(*flags); });
  });
}

}  // namespace cli
