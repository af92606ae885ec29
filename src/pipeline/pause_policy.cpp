#include "pipeline/pause_policy.h"

namespace pipeline {

bool should_pause(bool paused, const FetchBacklog& b, const WindowLimits& l) {
  if (b.restoring) {
    return b.awaiting_checkpoint || b.held >= l.records || b.held_bytes >= l.bytes;
  }
  const auto& u = b.usage;
  if (u.records >= l.records || u.bytes >= l.bytes || u.span >= l.span) return true;
  // Hysteresis: resume only once every figure is below half its limit.
  return paused && (u.records >= l.records / 2 || u.bytes >= l.bytes / 2 || u.span >= l.span / 2);
}

bool over_total(bool over, std::size_t total_bytes, const WindowLimits& l) {
  if (total_bytes >= l.total_bytes) return true;
  return over && total_bytes >= l.total_bytes / 2;
}

}  // namespace pipeline
