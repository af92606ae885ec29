#include "pipeline/flow_control.h"

namespace pipeline {

bool FlowControl::record_taken(std::size_t bytes) {
  estimate_ += bytes;
  return !over_total_ && estimate_ >= limits_.total_bytes;
}

FlowAction FlowControl::evaluate(const std::vector<PartitionBacklog>& partitions) {
  FlowAction action;
  for (const auto& p : partitions)
    action.total_bytes += p.backlog.held_bytes + p.backlog.usage.bytes;
  estimate_ = action.total_bytes;
  const bool was = over_total_;
  over_total_ = pipeline::over_total(was, action.total_bytes, limits_);
  if (over_total_ && !was) action.total = TotalTransition::over;
  if (was && !over_total_) action.total = TotalTransition::under;
  for (const auto& p : partitions) {
    const bool now = paused(p.partition);
    const bool want = over_total_ || should_pause(now, p.backlog, limits_);
    if (want == now) continue;
    if (want) {
      action.pause.push_back(p.partition);
      paused_.insert(p.partition);
    } else {
      action.resume.push_back(p.partition);
      paused_.erase(p.partition);
    }
  }
  return action;
}

bool FlowControl::after_record(std::int32_t partition, const WindowUsage& usage) {
  if (paused(partition) || !should_pause(false, {.usage = usage}, limits_)) return false;
  paused_.insert(partition);
  return true;
}

void FlowControl::pause_failed(std::int32_t partition) {
  paused_.erase(partition);
}

}  // namespace pipeline
