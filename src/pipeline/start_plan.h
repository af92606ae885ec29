#pragma once
// Where a newly assigned partition starts and with which aggregate, decided from its latest
// checkpoint and the group's committed offset (pure; the consumer loop applies it).
//
// The checkpoint is the truth for the aggregate: it covers exactly the records below its offset,
// so reading resumes there and nothing is counted twice or missed.
//  - checkpoint at or ahead of the committed offset: start at the checkpoint. (Exactly-once
//    commits both in one transaction, so they are equal; at-least-once writes the checkpoint
//    first, so after a crash between the two it is ahead and those records are not read again.)
//  - committed offset ahead of the checkpoint (or no checkpoint at all): the checkpoint of the
//    previous owner's last transaction may not be visible yet (its commit markers are written
//    after the transaction completes), so wait for it a little; after that grace, start at the
//    checkpoint anyway (records between are processed again: counted as re-processed, the
//    aggregate stays exact), or, without any checkpoint, at the committed offset with an empty
//    aggregate (earlier records were never checkpointed: said in a warning).
//  - a checkpoint written by another consumer group: refused. Keys name the group, so this
//    takes a value filed by hand under this group's key; it is never another group's state.
#include <cstdint>
#include <optional>
#include <string>

#include "pipeline/checkpoint.h"
#include "stats/aggregate.h"

namespace pipeline {

struct StartPlan {
  enum class Kind { start, wait, refuse };
  Kind kind = Kind::start;
  // Where to read from; nullopt: no checkpoint and no committed offset, the consumer's
  // auto.offset.reset decides.
  std::optional<std::int64_t> offset;
  stats::Aggregate base;
  FinishedSet finished;  // records above `offset` finished already: skipped, not redone
  // Records below this offset were already processed by the group (re-processed if read again).
  std::optional<std::int64_t> reprocess_below;
  bool restored = false;               // base comes from a checkpoint
  std::optional<RecordAnchor> anchor;  // the checkpoint's anchor: the log is verified against it
  std::string note;                    // a warning to log (or why it was refused)
};

StartPlan plan_start(const Checkpoint* checkpoint, std::optional<std::int64_t> committed,
                     const std::string& group, bool grace_over);

}  // namespace pipeline
