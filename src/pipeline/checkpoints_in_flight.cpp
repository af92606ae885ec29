#include "pipeline/checkpoints_in_flight.h"

#include <utility>

namespace pipeline {

void CheckpointsInFlight::sent(std::int32_t partition, InFlightCheckpoint checkpoint) {
  queues_[partition].push_back(std::move(checkpoint));
  ++count_;
}

std::optional<InFlightCheckpoint> CheckpointsInFlight::reported(std::int32_t partition) {
  auto q = queues_.find(partition);
  if (q == queues_.end() || q->second.empty()) return std::nullopt;
  InFlightCheckpoint oldest = std::move(q->second.front());
  q->second.pop_front();
  --count_;
  return oldest;
}

void CheckpointsInFlight::forget(std::int32_t partition) {
  auto q = queues_.find(partition);
  if (q == queues_.end()) return;
  count_ -= q->second.size();
  queues_.erase(q);
}

}  // namespace pipeline
