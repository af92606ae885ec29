#pragma once
// Which partitions a commit step takes: those whose finished position moved past what that step
// already covers. The same rule picks the checkpoints of a transaction (covered: the durable
// checkpoint), at-least-once checkpoints (covered: the last one written) and at-least-once
// offset commits (finished: the acknowledged checkpoint; covered: the committed offset).
#include <cstdint>
#include <optional>
#include <vector>

namespace pipeline {

struct CommitCandidate {
  std::int32_t partition = 0;
  std::optional<std::int64_t> finished;  // next offset to commit; nullopt: nothing finished
  std::optional<std::int64_t> covered;   // already committed by this step; nullopt: nothing
};

struct CommitItem {
  std::int32_t partition = 0;
  std::int64_t offset = 0;
};

std::vector<CommitItem> plan_commit(const std::vector<CommitCandidate>& candidates);

}  // namespace pipeline
