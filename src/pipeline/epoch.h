#pragma once
// Every (re)start of a partition's pipeline is a new epoch. Outputs (dead letters, checkpoints)
// are tagged with the epoch that sent them; a delivery report counts only for that epoch; after
// a rewind, an aborted transaction or a revoke it is stale and ignored.
#include <cstdint>
#include <optional>

namespace pipeline {

class Epochs {
 public:
  std::uint64_t next() { return next_++; }

 private:
  std::uint64_t next_ = 1;
};

// `running`: the partition's current epoch, or nullopt when it is not running (unassigned,
// restoring).
inline bool report_is_current(std::optional<std::uint64_t> running, std::uint64_t sent) {
  return running && *running == sent;
}

}  // namespace pipeline
