#include "pipeline/start_plan.h"

#include <fmt/format.h>

namespace pipeline {

StartPlan plan_start(const Checkpoint* checkpoint, std::optional<std::int64_t> committed,
                     const std::string& group, bool grace_over) {
  StartPlan plan;
  if (committed && *committed < 0) committed.reset();  // librdkafka's "no committed offset"
  if (checkpoint && !checkpoint->group.empty() && checkpoint->group != group) {
    plan.kind = StartPlan::Kind::refuse;
    plan.note = fmt::format(
        "the checkpoint found for {}/{} was written by consumer group '{}', not '{}': "
        "refusing to start from another group's aggregate",
        checkpoint->topic, checkpoint->partition, checkpoint->group, group);
    return plan;
  }
  const bool behind = committed && (!checkpoint || checkpoint->offset < *committed);
  if (behind && !grace_over) {
    plan.kind = StartPlan::Kind::wait;
    return plan;
  }
  if (checkpoint) {
    plan.offset = checkpoint->offset;
    plan.base = checkpoint->aggregate;
    plan.finished = checkpoint->finished;
    plan.restored = true;
    plan.anchor = checkpoint->anchor;
    if (behind) {
      plan.reprocess_below = *committed;
      plan.note = fmt::format(
          "checkpoint covers offsets below {} but the group committed {}: processing those {} "
          "record(s) again (the aggregate stays exact)",
          checkpoint->offset, *committed, *committed - checkpoint->offset);
    } else if (committed && checkpoint->offset > *committed) {
      plan.note = fmt::format(
          "checkpoint is ahead of the committed offset ({} > {}): those records were finished "
          "and are not read again",
          checkpoint->offset, *committed);
    }
    return plan;
  }
  if (committed) {
    plan.offset = *committed;
    plan.note = fmt::format(
        "no checkpoint: starting at the committed offset {} with an empty aggregate (records "
        "below it were never checkpointed and are not counted)",
        *committed);
  }
  return plan;
}

}  // namespace pipeline
