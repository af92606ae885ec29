#include "pipeline/rolled_back.h"

#include <algorithm>

namespace pipeline {

std::optional<std::int64_t> Coverage::end() const {
  if (!offset) return std::nullopt;
  return std::max(*offset, finished.through + 1);
}

void RolledBack::rewound(const Coverage& done, const Coverage& durable) {
  const auto end = done.end();
  // Without a durable offset the pipeline never took a record in.
  if (!end || !durable.offset) return;
  // Nothing below the durable offset is rolled back; above it, at most the window's span.
  std::int64_t o = *durable.offset;
  std::vector<std::pair<std::int64_t, std::int64_t>> added;
  for (; o < *end; ++o) {
    if (!done.covers(o) || durable.covers(o)) continue;
    if (!added.empty() && added.back().second == o) {
      ++added.back().second;
    } else {
      added.emplace_back(o, o + 1);
    }
  }
  // Merge, keeping ranges ascending and disjoint.
  std::vector<std::pair<std::int64_t, std::int64_t>> all;
  all.reserve(ranges_.size() + added.size());
  std::merge(ranges_.begin(), ranges_.end(), added.begin(), added.end(), std::back_inserter(all));
  ranges_.clear();
  for (const auto& r : all) {
    if (!ranges_.empty() && r.first <= ranges_.back().second) {
      ranges_.back().second = std::max(ranges_.back().second, r.second);
    } else {
      ranges_.push_back(r);
    }
  }
}

std::uint64_t RolledBack::not_redone(const Coverage& durable) const {
  std::uint64_t n = 0;
  for (const auto& [first, last] : ranges_) {
    for (auto o = first; o < last; ++o) n += durable.covers(o) ? 0 : 1;
  }
  return n;
}

}  // namespace pipeline
