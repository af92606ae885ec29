#include "cli/registry_options.h"

namespace cli {

void add_registry_options(CLI::App& app, registry::Options& o) {
  const char* group = "Schema registry";
  app.add_option("--schema-registry", o.url,
                 "Confluent-compatible schema registry base URL, e.g. "
                 "http://127.0.0.1:8081/apis/ccompat/v7 (./run registry start); "
                 "USER:PASSWORD@ in the URL is basic auth (percent-encode / @ % : in them)")
      ->type_name("URL")
      ->group(group);
  app.add_option("--schema-registry-property", o.properties,
                 "schema.registry.* property (basic.auth.user.info, ssl.ca.location, "
                 "ssl.certificate.location, ssl.key.location, ssl.key.password, "
                 "request.timeout.ms, max.response.bytes, max.schema.bytes, cache.capacity, "
                 "cache.max.bytes, cache.ttl.sec, missing.id.cache.ttl.sec, missing.cache.size, "
                 "lookup.rate, lookup.burst; docs/avro.md), repeatable")
      ->type_name("KEY=VALUE")
      ->group(group);
  app.add_option("--schema-registry-config", o.config_file,
                 "file of schema.registry.* KEY=VALUE lines (keeps secrets off the command line)")
      ->type_name("FILE")
      ->group(group);
  app.add_option("--subject-strategy", o.strategy,
                 "subject name: topic (<topic>-value), record (Order) or topic-record "
                 "(<topic>-Order)")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, registry::SubjectStrategy>{
              {"topic", registry::SubjectStrategy::topic},
              {"record", registry::SubjectStrategy::record},
              {"topic-record", registry::SubjectStrategy::topic_record}},
          CLI::ignore_case))
      ->default_str("topic")
      ->group(group);
}

}  // namespace cli
