#include "pipeline/pause_policy.h"

namespace pipeline {

bool should_pause(bool paused, const FetchBacklog& b, std::size_t pause_above) {
  if (b.restoring) return b.awaiting_checkpoint || b.held >= pause_above;
  return paused ? b.queued > pause_above / 2 : b.queued >= pause_above;
}

}  // namespace pipeline
