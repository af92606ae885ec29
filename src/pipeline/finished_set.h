#pragma once
// The records of one partition finished out of order above its commit offset c: every offset in
// (c, through] except those listed in `unfinished` (ascending). Offsets that hold no record
// (transaction markers, compacted away) may count as finished: skipping them changes nothing.
// Stored with the checkpoint, so a restart at c skips them instead of processing or
// dead-lettering them again. Its size is bounded by the records still unfinished, not by the span.
#include <algorithm>
#include <cstdint>
#include <vector>

namespace pipeline {

struct FinishedSet {
  std::int64_t from = 0;      // the commit offset c (itself never finished)
  std::int64_t through = -1;  // the highest finished offset above c; <= from: none
  std::vector<std::int64_t> unfinished;

  bool empty() const { return through <= from; }
  bool contains(std::int64_t offset) const {
    return offset > from && offset <= through &&
           !std::binary_search(unfinished.begin(), unfinished.end(), offset);
  }
  bool operator==(const FinishedSet&) const = default;
};

}  // namespace pipeline
