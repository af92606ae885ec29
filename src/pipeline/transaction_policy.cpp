#include "pipeline/transaction_policy.h"

namespace pipeline {

namespace {

TxnReaction producer_failed(std::string step, std::string message) {
  return {TxnReaction::Kind::producer_failed, std::move(step), std::move(message)};
}

TxnReaction abort_for(std::string reason) {
  return {TxnReaction::Kind::abort, std::move(reason), {}};
}

}  // namespace

void TransactionPolicy::begun(bool was_open, TimePoint now) {
  if (!was_open) began_ = now;
}

TxnReaction TransactionPolicy::failed(TxnStep step, const TxnStepError& e) {
  switch (step) {
    case TxnStep::begin:
      if (e.ends_producer) return producer_failed("begin_transaction", e.message);
      doomed_ = "cannot begin a transaction: " + e.message;
      return {};
    case TxnStep::write_checkpoint:
      if (e.ends_producer) return producer_failed("writing a checkpoint", e.message);
      return abort_for("checkpoint not written: " + e.message);
    case TxnStep::commit:
      if (e.ends_producer) return producer_failed(e.step_name, e.message);
      // The coordinator may still commit it (a broker that was frozen answers later), so the
      // partitions must not rewind to what this process last saw committed: a new producer
      // (its init_transactions settles the transaction either way) and a restore from the
      // broker instead. librdkafka 2.0 also refuses or blocks an abort after a timed-out commit.
      if (e.outcome_unknown)
        return producer_failed("commit_transaction", "outcome unknown: " + e.message);
      return abort_for(e.step_name + " failed: " + e.message);
    case TxnStep::abort:
      return producer_failed("abort_transaction", e.message);
  }
  return {};
}

void TransactionPolicy::dead_letter_failed(const std::string& error) {
  doomed_ = "dead letter not written: " + error;
}

void TransactionPolicy::checkpoint_report_failed(bool transaction_open, const std::string& reason) {
  if (transaction_open && doomed_.empty()) doomed_ = "checkpoint not written: " + reason;
}

void TransactionPolicy::dead_letters_acknowledged(bool acknowledged) {
  if (!acknowledged && doomed_.empty()) doomed_ = "dead letters not acknowledged in time";
}

TxnReaction TransactionPolicy::abort_due() const {
  if (doomed_.empty()) return {};
  return abort_for(doomed_);
}

void TransactionPolicy::ended() {
  began_.reset();
  doomed_.clear();
}

RecoveryDecision TransactionPolicy::producer_failure(bool fenced, TimePoint now) {
  return recovery_.on_failure({.fenced = fenced, .transaction_began = began_}, now);
}

}  // namespace pipeline
