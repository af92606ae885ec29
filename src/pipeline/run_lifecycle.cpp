#include "pipeline/run_lifecycle.h"

#include <utility>

namespace pipeline {

namespace {
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;
}  // namespace

bool RunLifecycle::fatal(std::string problem) {
  if (fatal_) return false;  // the first failure counts; the rest follow from it
  fatal_ = true;
  problem_ = std::move(problem);
  recovery_.reset();
  if (phase_ == RunPhase::recovering) phase_ = RunPhase::running;
  return true;
}

bool RunLifecycle::on(const RunEvent& event) {
  using namespace run_event;
  return std::visit(Overloaded{
                        [&](const Fatal& e) { return fatal(e.problem); },
                        [&](const Problem& e) {
                          if (fatal_ || (!problem_.empty() && !e.replace)) return false;
                          problem_ = e.text;
                          return true;
                        },
                        [&](const RecoveryDue& e) {
                          if (!takes_producer_failure()) return false;
                          recovery_ = e;
                          phase_ = RunPhase::recovering;
                          return true;
                        },
                        [&](const RecoveryStarted&) {
                          if (phase_ != RunPhase::recovering) return false;
                          recovery_.reset();
                          phase_ = RunPhase::running;
                          return true;
                        },
                        [&](const Stop&) {
                          if (phase_ == RunPhase::recovering) {
                            fatal("stopped while replacing the failed transactional producer (" +
                                  recovery_->failure +
                                  "): the uncommitted work is processed again by the next "
                                  "owner");
                          } else if (phase_ != RunPhase::running) {
                            return false;
                          }
                          phase_ = RunPhase::stopping;
                          return true;
                        },
                        [&](const Close&) {
                          if (phase_ != RunPhase::stopping) return false;
                          phase_ = RunPhase::closing;
                          return true;
                        },
                    },
                    event);
}

}  // namespace pipeline
