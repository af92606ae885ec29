#pragma once
// At-least-once: the checkpoints handed to the producer and not reported yet, per source
// partition in produce order. One source partition's checkpoints share a key, so their delivery
// reports come in that order too and each report is about the oldest one.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>

#include "pipeline/finished_set.h"
#include "stats/aggregate.h"

namespace pipeline {

struct InFlightCheckpoint {
  std::uint64_t epoch = 0;  // of the pipeline that wrote it: a report for an older one is stale
  std::int64_t offset = 0;
  stats::Aggregate aggregate;
  FinishedSet finished;
  std::uint64_t progress = 0;  // the pipeline's progress() it covers
};

class CheckpointsInFlight {
 public:
  void sent(std::int32_t partition, InFlightCheckpoint checkpoint);
  // The checkpoint a delivery report for `partition` is about, no longer in flight; nullopt
  // when none is (its partition was revoked meanwhile).
  std::optional<InFlightCheckpoint> reported(std::int32_t partition);
  // The partition is no longer ours: its reports are not waited for.
  void forget(std::int32_t partition);
  std::size_t count() const { return count_; }

 private:
  std::map<std::int32_t, std::deque<InFlightCheckpoint>> queues_;
  std::size_t count_ = 0;
};

}  // namespace pipeline
