#pragma once
// One `orders consume` run's lifecycle, as one state machine with one transition function:
//
//   running ──recovery_due──▶ recovering ──recovery_started──▶ running
//   running / recovering ──stop──▶ stopping ──close──▶ closing
//
// and, beside the phase, the run's verdict: the first problem to report at exit, and whether
// it was fatal (nothing is processed or committed after it). A fatal problem drops a pending
// recovery; a stop during one is fatal (the failed producer's work is redone by the next owner).
// The shell asks the lifecycle what it may do and tells it what happened; it keeps no flags.
#include <optional>
#include <string>
#include <variant>

#include "pipeline/outcome.h"

namespace pipeline {

enum class RunPhase { running, recovering, stopping, closing };

namespace run_event {
// Something the run cannot go on from: it ends, its problem reported (the first one wins).
struct Fatal {
  std::string problem;
};
// Something to report at exit that does not stop the run. `replace`: overrides an earlier
// non-fatal problem (the latest says more), never a fatal one.
struct Problem {
  std::string text;
  bool replace = false;
};
// The transactional producer failed and is to be replaced at `due` (its `attempt`-th recovery).
struct RecoveryDue {
  std::string failure;
  TimePoint due;
  int attempt = 0;
};
// The replacement begins (a failure while replacing it is a new RecoveryDue or a Fatal).
struct RecoveryStarted {};
struct Stop {};
struct Close {};
}  // namespace run_event

using RunEvent = std::variant<run_event::Fatal, run_event::Problem, run_event::RecoveryDue,
                              run_event::RecoveryStarted, run_event::Stop, run_event::Close>;

class RunLifecycle {
 public:
  // The one way to change the run's state. False: the event does not apply in this state
  // (ignored, state unchanged), e.g. a second producer failure while one is being recovered.
  bool on(const RunEvent& event);

  RunPhase phase() const { return phase_; }
  // A fatal problem happened: nothing more is processed or committed.
  bool failed() const { return fatal_; }
  bool recovering() const { return phase_ == RunPhase::recovering; }
  // Failed or replacing the producer: no commits now.
  bool cannot_commit() const { return fatal_ || recovering(); }
  // A producer failure now would be the first: one to decide on (recover or end).
  bool takes_producer_failure() const { return !fatal_ && phase_ == RunPhase::running; }
  // Stopping or closing: /readyz says no.
  bool stopping() const { return phase_ == RunPhase::stopping || phase_ == RunPhase::closing; }
  // Leaving the group: revoked work counts as unfinished at exit.
  bool closing() const { return phase_ == RunPhase::closing; }
  // The pending replacement (while recovering): what failed, when, which attempt.
  const std::optional<run_event::RecoveryDue>& recovery() const { return recovery_; }
  const std::string& problem() const { return problem_; }

 private:
  bool fatal(std::string problem);

  RunPhase phase_ = RunPhase::running;
  bool fatal_ = false;
  std::string problem_;
  std::optional<run_event::RecoveryDue> recovery_;
};

}  // namespace pipeline
