#include "pipeline/partition_core.h"

#include <algorithm>

namespace pipeline {

void PartitionCore::assigned(TimePoint now, std::uint64_t new_epoch) {
  *this = PartitionCore{};
  assigned_at = now;
  epoch = new_epoch;
}

std::optional<std::int64_t> PartitionCore::start_offset(std::optional<std::int64_t> at,
                                                        std::optional<std::int64_t> reset) const {
  if (at) return at;
  if (durable_offset) return durable_offset;
  return reset;
}

void PartitionCore::starting(std::uint64_t new_epoch) {
  epoch = new_epoch;
  uncommitted.clear();
}

bool PartitionCore::seek_refused() {
  const bool warned = seek_warned;
  seek_warned = true;
  pipeline.reset();
  phase.on(PhaseEvent::restore);
  return warned;
}

void PartitionCore::started(Processor& processor, const PipelineSettings& settings, bool sought,
                            TimePoint now) {
  if (sought) reseek = false;
  pipeline =
      std::make_unique<PartitionPipeline>(processor, settings, durable_aggregate, durable_finished);
  durable_progress = 0;  // a new pipeline counts from 0; the durable checkpoint is its start
  last_record_at = now;
  phase.on(PhaseEvent::started);
}

void PartitionCore::rewound() {
  // Records up to the last one taken in were processed in the aborted batch.
  if (auto last = pipeline->last_offset()) {
    reprocess_below = std::max(reprocess_below.value_or(0), *last + 1);
  }
  rolled_back.rewound({pipeline->commit_offset(), pipeline->finished_above()},
                      {durable_offset, durable_finished});
}

void PartitionCore::restore_again(std::uint64_t new_epoch) {
  // Records up to the last one taken in were processed in the rolled-back transaction.
  if (pipeline) {
    if (auto last = pipeline->last_offset()) {
      reprocess_below = std::max(reprocess_below.value_or(0), *last + 1);
    }
  }
  pipeline.reset();
  phase.on(PhaseEvent::restore);
  uncommitted.clear();
  held = 0;  // the shell drops the records held
  held_bytes = 0;
  reseek = true;
  epoch = new_epoch;
}

StartAt PartitionCore::take_plan(const StartPlan& plan, const StartCheck& check,
                                 std::optional<std::int64_t> committed, const LogRange& log) {
  durable_offset = plan.offset;
  durable_aggregate = plan.base;
  durable_finished = plan.finished;
  anchor = plan.anchor;
  anchor_candidate.reset();
  // The anchor's record still in the log: reading resumes there to compare it first.
  verify.reset();
  if (plan.anchor && plan.anchor->offset >= log.low) verify = plan.anchor;
  if (plan.reprocess_below) {
    reprocess_below = std::max(reprocess_below.value_or(0), *plan.reprocess_below);
  }
  // librdkafka fetches from the committed offset (or the reset position without one): when
  // the plan starts there too, the records held meanwhile are the right ones and no seek
  // (which would wait for the fetch in flight) is needed. An anchor to compare: always sought,
  // so no record held from before is taken first.
  StartAt s{check.start, false};
  if (verify) s.at = verify->offset;
  s.seek = s.at != committed || reseek || verify.has_value();
  return s;
}

Unfinished PartitionCore::unfinished() const {
  if (!pipeline) return {};
  return {pipeline->queued() + pipeline->dead_letters_in_flight(), pipeline->retries_pending()};
}

bool PartitionCore::made_durable(std::int64_t offset, stats::Aggregate aggregate,
                                 FinishedSet finished, std::uint64_t progress) {
  if (progress < durable_progress) return false;
  durable_offset = offset;
  durable_aggregate = std::move(aggregate);
  durable_finished = std::move(finished);
  durable_progress = progress;
  return true;
}

void PartitionCore::started_over() {
  durable_offset.reset();
  durable_aggregate = stats::Aggregate{};
  durable_finished = {};
  anchor.reset();
  anchor_candidate.reset();
  verify.reset();
  reprocess_below.reset();
  rolled_back = {};
}

bool PartitionCore::log_check_due(TimePoint now) {
  if (now < next_log_check || !durable_offset) return false;
  next_log_check = now + std::chrono::seconds(1);
  return true;
}

}  // namespace pipeline
