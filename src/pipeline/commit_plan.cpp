#include "pipeline/commit_plan.h"

namespace pipeline {

std::vector<CommitItem> plan_commit(const std::vector<CommitCandidate>& candidates) {
  std::vector<CommitItem> items;
  for (const auto& c : candidates) {
    if (!c.finished || (c.covered && *c.covered >= *c.finished)) continue;
    items.push_back({c.partition, *c.finished});
  }
  return items;
}

}  // namespace pipeline
