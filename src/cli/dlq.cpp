// `orders dlq` (monitor the dead-letter queue) and `orders dlq replay` (re-publish from it): the
// flags, bound onto dlq_tools' option structs; the runs themselves are src/dlq_tools.
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/checks.h"
#include "cli/commands.h"
#include "cli/exit_status.h"
#include "cli/http_flag.h"
#include "cli/kafka_options.h"
#include "cli/logging.h"
#include "cli/registry_options.h"
#include "dlq_tools/dlq_tools.h"
#include "util/errors.h"

namespace cli {
namespace {

// Both subcommands carry their own copy of the shared flags.
template <class Options>
struct DlqFlags {
  Options run;
  KafkaOptions kafka;
  Verbosity verbosity;
};

template <class Options>
void add_common_flags(CLI::App& app, DlqFlags<Options>& f) {
  dlq_tools::CommonOptions& c = f.run.common;
  app.add_option("--topic", c.topic, "dead-letter topic to read")
      ->capture_default_str()
      ->type_name("TOPIC")
      ->check(topic_name_check());
  app.add_option("--error-class", c.filter.error_classes,
                 "only records of these classes: deserialization, validation, processing "
                 "(comma list or repeated)")
      ->type_name("CLASS[,CLASS]")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--since", c.filter.since,
                 "only records that failed since: a duration back from now (10m, 2h) or a UTC "
                 "timestamp (2024-05-01, 2024-05-01T12:00:00Z)")
      ->type_name("DURATION|TIMESTAMP");
  app.add_option("--order-id", c.filter.order_ids, "only this orderId (repeatable)")
      ->type_name("ID")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_flag("--json", c.json, "JSON on stdout (one object per line) instead of text");
  add_verbosity_flags(app, f.verbosity);
  add_kafka_options(app, f.kafka);
  add_registry_options(app, c.registry);
}

int run_monitor(const DlqFlags<dlq_tools::MonitorOptions>& f) {
  apply_verbosity(f.verbosity);
  if (f.run.http && !f.run.follow) throw util::UsageError("--http needs --follow");
  dlq_tools::run_monitor(f.run, resolve_kafka_properties(f.kafka, kafka::consumer_defaults()));
  return kExitOk;
}

int run_replay(const DlqFlags<dlq_tools::ReplayOptions>& f) {
  apply_verbosity(f.verbosity);
  const bool ok =
      dlq_tools::run_replay(f.run, resolve_kafka_properties(f.kafka, kafka::consumer_defaults()),
                            resolve_kafka_properties(f.kafka, kafka::producer_defaults()));
  return ok ? kExitOk : kExitFailed;
}

CLI::App* add_replay_command(CLI::App& dlq, int& exit_code) {
  auto* sub = dlq.add_subcommand(
      "replay",
      "Re-publish selected DLQ records to their original topic (or --to): original key, value "
      "and headers plus dlq.replay.count and dlq.replayed.at; exactly once per replay group");
  auto flags = std::make_shared<DlqFlags<dlq_tools::ReplayOptions>>();
  auto& o = flags->run;
  add_common_flags(*sub, *flags);
  sub->add_option("--group", o.group,
                  "consumer group tracking replay progress; a rerun continues where the last "
                  "run stopped")
      ->capture_default_str()
      ->type_name("GROUP");
  sub->add_option("--to", o.to,
                  "send every replayed record to this topic instead (allowed whatever "
                  "--allow-topic says, unless internal, the DLQ or the aggregates topic)")
      ->type_name("TOPIC")
      ->check(topic_name_check());
  sub->add_option("--allow-topic", o.allow_topics,
                  "a topic the records' dlq.original.topic may send them to; * and ? are "
                  "wildcards; repeatable (default: the DLQ's name without -dlq, e.g. orders for "
                  "orders-dlq). Internal topics (_*), the DLQ and --aggregates-topic are never "
                  "allowed")
      ->type_name("PATTERN")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sub->add_option("--aggregates-topic", o.aggregates_topic,
                  "the consumers' checkpoint topic: never a replay target")
      ->capture_default_str()
      ->type_name("TOPIC")
      ->check(topic_name_check());
  sub->add_flag("--skip-refused", o.skip_refused,
                "pass over (and list) records whose target is refused instead of stopping at "
                "the first one with exit status 1");
  sub->add_flag("--force", o.force,
                "also replay records that would fail again (class deserialization) or whose dlq.* "
                "headers are unreadable");
  sub->add_option("--limit", o.limit, "replay at most N records")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  sub->add_flag("--dry-run", o.dry_run, "show what would be replayed; sends and commits nothing");
  sub->add_option("--rate", o.rate, "replay at most this many records per second (0: no limit)")
      ->capture_default_str()
      ->type_name("PER_SECOND")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--batch", o.batch, "records per transaction (a transaction also ends after 1 s)")
      ->capture_default_str()
      ->type_name("N")
      ->check(CLI::Range(1u, 100000u));
  sub->add_option("--transactional-id", o.transactional_id,
                  "producer transactional.id (default: orders-dlq-replay.<group>.<topic>); runs "
                  "with the same id fence each other off")
      ->type_name("ID");
  sub->callback([&dlq, flags, &exit_code] {
    // `orders dlq --topic x replay` would silently read the default topic: refuse it.
    for (const CLI::Option* opt : dlq.get_options()) {
      if (opt->count() > 0 && opt->get_name() != "--help") {
        throw CLI::ValidationError(opt->get_name(),
                                   "put the options of 'dlq replay' after the word 'replay'");
      }
    }
    exit_code = exit_status_of([&] { return run_replay(*flags); });
  });
  return sub;
}

}  // namespace

void add_dlq_command(CLI::App& root, int& exit_code) {
  auto* dlq = root.add_subcommand(
      "dlq",
      "Show the dead-letter queue: one line per record and a summary (reads to the current end "
      "and exits; no consumer group unless --group)");
  dlq->require_subcommand(0, 1);
  auto flags = std::make_shared<DlqFlags<dlq_tools::MonitorOptions>>();
  add_common_flags(*dlq, *flags);
  dlq->add_option("--group", flags->run.group,
                  "consumer group that remembers what was shown: each run starts where the last "
                  "one stopped (default: none, every run reads everything)")
      ->type_name("GROUP");
  dlq->add_flag("--follow,-f", flags->run.follow,
                "keep reading new records until Ctrl-C, then print the summary");
  dlq->add_flag("--summary-only", flags->run.summary_only, "print only the summary");
  add_http_option(*dlq, flags->run.http, flags->run.http_allow_hosts,
                  "with --follow: a DLQ page at / (recent dead letters, counts by class and "
                  "message, value lost), /metrics and /api/state");
  auto* replay = add_replay_command(*dlq, exit_code);
  dlq->callback([replay, flags, &exit_code] {
    if (replay->parsed()) return;
    exit_code = exit_status_of([&] { return run_monitor(*flags); });
  });
}

}  // namespace cli
