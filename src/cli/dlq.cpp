// `orders dlq` (monitor the dead-letter queue) and `orders dlq replay` (re-publish from it).
#include <CLI/CLI.hpp>

#include "cli/checks.h"
#include "cli/commands.h"
#include "cli/dlq_flags.h"
#include "cli/exit_status.h"

namespace cli {

void add_dlq_command(CLI::App& root, int& exit_code) {
  auto* dlq = root.add_subcommand(
      "dlq",
      "Show the dead-letter queue: one line per record and a summary (reads to the current end "
      "and exits; no consumer group unless --group)");
  dlq->require_subcommand(0, 1);
  auto monitor = std::make_shared<DlqMonitorFlags>();
  add_dlq_common_flags(*dlq, monitor->common);
  dlq->add_option("--group", monitor->group,
                  "consumer group that remembers what was shown: each run starts where the last "
                  "one stopped (default: none, every run reads everything)")
      ->type_name("GROUP");
  dlq->add_flag("--follow,-f", monitor->follow,
                "keep reading new records until Ctrl-C, then print the summary");
  dlq->add_flag("--summary-only", monitor->summary_only, "print only the summary");

  auto* replay = dlq->add_subcommand(
      "replay",
      "Re-publish selected DLQ records to their original topic (or --to): original key, value "
      "and headers plus dlq.replay.count and dlq.replayed.at; exactly once per replay group");
  auto rf = std::make_shared<DlqReplayFlags>();
  add_dlq_common_flags(*replay, rf->common);
  replay
      ->add_option("--group", rf->group,
                   "consumer group tracking replay progress; a rerun continues where the last "
                   "run stopped")
      ->capture_default_str()
      ->type_name("GROUP");
  replay->add_option("--to", rf->to, "send every replayed record to this topic instead")
      ->type_name("TOPIC")
      ->check(topic_name_check());
  replay->add_flag("--force", rf->force,
                   "also replay records that would fail again (class deserialization)");
  replay->add_option("--limit", rf->limit, "replay at most N records")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  replay->add_flag("--dry-run", rf->dry_run,
                   "show what would be replayed; sends and commits nothing");
  replay
      ->add_option("--rate", rf->rate, "replay at most this many records per second (0: no limit)")
      ->capture_default_str()
      ->type_name("PER_SECOND")
      ->check(CLI::NonNegativeNumber);
  replay
      ->add_option("--batch", rf->batch,
                   "records per transaction (a transaction also ends after 1 s)")
      ->capture_default_str()
      ->type_name("N")
      ->check(CLI::Range(1u, 100000u));
  replay
      ->add_option("--transactional-id", rf->transactional_id,
                   "producer transactional.id (default: orders-dlq-replay.<group>); runs with "
                   "the same id fence each other off")
      ->type_name("ID");

  replay->callback([dlq, rf, &exit_code] {
    // `orders dlq --topic x replay` would silently read the default topic: refuse it.
    for (const CLI::Option* opt : dlq->get_options()) {
      if (opt->count() > 0 && opt->get_name() != "--help") {
        throw CLI::ValidationError(opt->get_name(),
                                   "put the options of 'dlq replay' after the word 'replay'");
      }
    }
    exit_code = exit_status_of([&] { return run_dlq_replay(*rf); });
  });
  dlq->callback([replay, monitor, &exit_code] {
    if (replay->parsed()) return;
    exit_code = exit_status_of([&] { return run_dlq_monitor(*monitor); });
  });
}

}  // namespace cli
