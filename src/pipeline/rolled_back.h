#pragma once
// Records a partition finished and then lost to an aborted commit (its pipeline rewound to the
// last durable checkpoint). The run may report success only once a later commit covers them
// again: a run that ends with such records not redone did not finish what it said it did.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "pipeline/finished_set.h"

namespace pipeline {

// What a state covers: every offset below `offset` and those in `finished` (pipeline: its commit
// offset and finished_above(); a checkpoint: its offset and finished set). No offset: nothing.
struct Coverage {
  std::optional<std::int64_t> offset;
  FinishedSet finished;

  bool covers(std::int64_t o) const { return offset && (o < *offset || finished.contains(o)); }
  // One past the highest offset covered (nullopt: none).
  std::optional<std::int64_t> end() const;
};

class RolledBack {
 public:
  // A rewind from `done` (the pipeline) back to `durable`: what only `done` covered is rolled back.
  void rewound(const Coverage& done, const Coverage& durable);
  // Rolled-back records that `durable` does not cover (again).
  std::uint64_t not_redone(const Coverage& durable) const;
  bool empty() const { return ranges_.empty(); }

 private:
  std::vector<std::pair<std::int64_t, std::int64_t>> ranges_;  // [first, last), ascending
};

}  // namespace pipeline
