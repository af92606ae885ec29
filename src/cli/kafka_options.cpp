#include "cli/kafka_options.h"

#include <cstdlib>

namespace cli {

void add_kafka_options(CLI::App& app, KafkaOptions& options) {
  app.add_option("--bootstrap", options.bootstrap,
                 "Kafka bootstrap servers HOST:PORT[,...] (default: $KAFKA_BOOTSTRAP_SERVERS, "
                 "else 127.0.0.1:9092)")
      ->type_name("SERVERS");
  app.add_option("-X", options.overrides,
                 "librdkafka property KEY=VALUE, repeatable (e.g. -X acks=1 -X linger.ms=20)")
      ->type_name("KEY=VALUE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--config", options.config_file,
                 "properties file of librdkafka settings (key=value lines, # comments)")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  app.footer(app.get_footer() + (app.get_footer().empty() ? "" : "\n") +
             "Kafka settings precedence (highest first): --bootstrap, -X, "
             "$KAFKA_BOOTSTRAP_SERVERS, --config FILE, built-in defaults.");
}

kafka::Properties resolve_kafka_properties(const KafkaOptions& options,
                                           const kafka::Properties& role_defaults) {
  kafka::ConfigSources sources;
  sources.defaults = role_defaults;
  sources.config_file = options.config_file;
  sources.overrides = options.overrides;
  sources.bootstrap_flag = options.bootstrap;
  if (const char* env = std::getenv(kafka::kBootstrapEnv)) sources.bootstrap_env = env;
  return kafka::resolve(sources);
}

}  // namespace cli
