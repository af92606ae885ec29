#pragma once
// Exactly-once: what to do with the batch's transaction when something goes wrong, decided
// without I/O. The committer carries out the transaction's steps (begin, write checkpoints,
// commit with the offsets, abort) and tells this policy what happened; the policy answers with
// the reaction:
//   - abort: abort the transaction and rewind every running partition to its last committed
//     checkpoint (what the transaction held is redone);
//   - producer failed: the producer is unusable; the session replaces it or ends the run
//     (ProducerRecovery, asked through producer_failure()).
// A transaction becomes doomed (must be aborted, at the next chance) when something it holds
// did not get written: a dead letter, a checkpoint, a begin that failed, dead letters not
// acknowledged before the commit.
#include <chrono>
#include <optional>
#include <string>

#include "pipeline/outcome.h"
#include "pipeline/producer_recovery.h"

namespace pipeline {

enum class TxnStep { begin, write_checkpoint, commit, abort };

// A failed step, as the policy needs to know it (the kafka edge fills it in).
struct TxnStepError {
  std::string message;
  // librdkafka left the producer unusable (fatal, fenced).
  bool ends_producer = false;
  // commit only: the coordinator may still commit it (a timed-out commit).
  bool outcome_unknown = false;
  // commit only: which call failed ("send_offsets_to_transaction", "commit_transaction").
  std::string step_name;
};

struct TxnReaction {
  enum class Kind { none, abort, producer_failed };
  Kind kind = Kind::none;
  // abort: why (logged); producer_failed: the step it failed in.
  std::string reason;
  // producer_failed: the message to report (may differ from the step error's).
  std::string message;
  bool operator==(const TxnReaction&) const = default;
};

class TransactionPolicy {
 public:
  TransactionPolicy(ProducerRecoveryLimits limits, Clock::duration transaction_timeout)
      : recovery_(limits, transaction_timeout) {}

  // A begin succeeded; `was_open`: the transaction was open already (a no-op begin).
  void begun(bool was_open, TimePoint now);
  // A step failed: the reaction. A failed begin that leaves the producer usable only dooms the
  // transaction (none): the caller aborts when it next may.
  TxnReaction failed(TxnStep step, const TxnStepError& e);

  // Something the open transaction holds was not written; the newest reason wins.
  void dead_letter_failed(const std::string& error);
  // A checkpoint's delivery report failed; the first reason wins (the others follow from it).
  void checkpoint_report_failed(bool transaction_open, const std::string& reason);
  // Before a commit: the dead letters of the batch were (not) acknowledged in time.
  void dead_letters_acknowledged(bool acknowledged);
  // The transaction must be aborted now: abort, with the reason; otherwise none.
  TxnReaction abort_due() const;
  bool doomed() const { return !doomed_.empty(); }

  // The transaction ended (committed, or aborted): nothing is open, nothing doomed.
  void ended();
  // The producer failed for good: whether to replace it. Counts against the recovery limits.
  RecoveryDecision producer_failure(bool fenced, TimePoint now);
  // When the open transaction began; nullopt: none was open.
  std::optional<TimePoint> began() const { return began_; }

 private:
  ProducerRecovery recovery_;
  std::optional<TimePoint> began_;
  std::string doomed_;  // why the open transaction must be aborted (empty: it need not)
};

}  // namespace pipeline
