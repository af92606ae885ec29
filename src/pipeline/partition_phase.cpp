#include "pipeline/partition_phase.h"

namespace pipeline {

PhaseStep next_phase(Phase from, PhaseEvent event) {
  switch (event) {
    case PhaseEvent::restore:
      return {Phase::restoring, true};
    case PhaseEvent::checkpoint_lags:
      if (from == Phase::restoring || from == Phase::awaiting_checkpoint) {
        return {Phase::awaiting_checkpoint, true};
      }
      break;
    case PhaseEvent::started:
      if (from == Phase::restoring || from == Phase::awaiting_checkpoint) {
        return {Phase::running, true};
      }
      break;
    case PhaseEvent::halted:
      if (from == Phase::running) return {Phase::halted, true};
      break;
    case PhaseEvent::resumed:
      if (from == Phase::halted) return {Phase::running, true};
      break;
  }
  return {from, false};
}

const char* phase_name(Phase p) {
  switch (p) {
    case Phase::restoring:
      return "restoring";
    case Phase::awaiting_checkpoint:
      return "restore-wait";
    case Phase::running:
      return "running";
    case Phase::halted:
      return "halted";
  }
  return "?";
}

}  // namespace pipeline
