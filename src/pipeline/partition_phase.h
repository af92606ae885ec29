#pragma once
// One assigned partition's lifecycle, as one state machine: the consume application changes a
// partition's phase only through on(), and a transition that the lifecycle does not have is
// refused (a bug in the caller, reported by the false return and left unapplied).
//
//   restoring ──lags──▶ awaiting_checkpoint ──started──▶ running ──halted──▶ halted
//       ▲  ◀──────────────────── restore (any phase) ─────────   ◀──resumed──┘
//       └──────────── started (from restoring) ───────────────▶ running
#include <cstdint>

namespace pipeline {

enum class Phase : std::uint8_t {
  // Its checkpoint not restored yet: fetched records are held (a seek to the planned start may
  // drop them), nothing is processed.
  restoring,
  // Restoring, and its checkpoint lags the committed offset: waiting (paused) for it.
  awaiting_checkpoint,
  running,
  // Running, but its pipeline stopped at a dead letter that could not be written (reported).
  halted,
};

enum class PhaseEvent : std::uint8_t {
  restore,          // (back) to its durable checkpoint: a failed seek, a rewind, a recovery
  checkpoint_lags,  // the checkpoint is behind the committed offset: wait for it
  started,          // its pipeline runs from the planned start
  halted,           // a dead letter could not be written: the pipeline stops there
  resumed,          // that dead letter was delivered
};

// The phase after `event` in `from`, or `from` itself when the lifecycle has no such
// transition (`ok` false).
struct PhaseStep {
  Phase to;
  bool ok;
};
PhaseStep next_phase(Phase from, PhaseEvent event);

class PartitionPhase {
 public:
  Phase get() const { return phase_; }
  bool restoring() const {
    return phase_ == Phase::restoring || phase_ == Phase::awaiting_checkpoint;
  }
  bool is(Phase p) const { return phase_ == p; }
  // The one way to change the phase. False: refused, unchanged.
  bool on(PhaseEvent event) {
    const auto step = next_phase(phase_, event);
    phase_ = step.to;
    return step.ok;
  }

 private:
  Phase phase_ = Phase::restoring;
};

const char* phase_name(Phase p);

}  // namespace pipeline
