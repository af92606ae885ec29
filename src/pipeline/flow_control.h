#pragma once
// Flow control of the consume loop: which assigned partitions have their fetching paused, and
// the bound on the bytes all of them hold together (--total-window-bytes). No I/O: the shell
// reports what happened (a record taken, a partition assigned or revoked, a pause call that
// failed), applies the pauses and resumes it is given and logs the transitions of the total.
// The paused set mirrors librdkafka's state; nothing else changes it (pipeline/pause_policy.h
// holds the rules).
#include <cstddef>
#include <cstdint>
#include <set>
#include <vector>

#include "pipeline/pause_policy.h"
#include "pipeline/window.h"

namespace pipeline {

struct PartitionBacklog {
  std::int32_t partition = 0;
  FetchBacklog backlog;
};

enum class TotalTransition {
  none,
  over,   // the total reached --total-window-bytes: every partition pauses
  under,  // it fell below half of it: each partition follows its own window again
};

// What one evaluation decided. Partitions in the order the backlogs came in.
struct FlowAction {
  std::vector<std::int32_t> pause;
  std::vector<std::int32_t> resume;
  TotalTransition total = TotalTransition::none;
  std::size_t total_bytes = 0;  // held in all, counted by this evaluation
};

class FlowControl {
 public:
  explicit FlowControl(const WindowLimits& limits) : limits_(limits) {}

  // A record of an assigned partition was taken (`bytes`: its key and value). The estimate of
  // all that is held grows by it until the next evaluate() counts exactly. True: it just reached
  // the total, so evaluate now: every partition pauses right after the record that filled the
  // total, not after the poll batch.
  bool record_taken(std::size_t bytes);

  // Every assigned partition's backlog: the total is counted, its bound updated (with its
  // hysteresis), and each partition paused or resumed as the bound and its window want. The
  // paused set takes the result at once; a pause or resume call that then fails is reported
  // back (pause_failed, resume_failed), so the next evaluation asks again.
  FlowAction evaluate(const std::vector<PartitionBacklog>& partitions);

  // A record entered the running partition's window (its `usage` now). True: pause it now
  // (the window is full), not after the poll batch: librdkafka drops the records of a paused
  // partition it already fetched and fetches them again from the position once resumed. Never
  // for a partition paused already.
  bool after_record(std::int32_t partition, const WindowUsage& usage);
  // A pause asked for failed: librdkafka still fetches the partition.
  void pause_failed(std::int32_t partition);
  // A resume asked for failed: librdkafka still holds the partition paused.
  void resume_failed(std::int32_t partition) { paused_.insert(partition); }

  // A partition (re)assigned: not paused (the next evaluation pauses it if it must, e.g. while
  // over the total).
  void assigned(std::int32_t partition) { paused_.erase(partition); }
  // A partition revoked: forgotten.
  void revoked(std::int32_t partition) { paused_.erase(partition); }

  bool paused(std::int32_t partition) const { return paused_.count(partition) > 0; }
  // Every partition is paused by the total bound.
  bool over_total() const { return over_total_; }
  // Bytes held in all as last counted, plus those taken since.
  std::size_t held_estimate() const { return estimate_; }

 private:
  WindowLimits limits_;
  bool over_total_ = false;
  std::size_t estimate_ = 0;
  std::set<std::int32_t> paused_;
};

}  // namespace pipeline
