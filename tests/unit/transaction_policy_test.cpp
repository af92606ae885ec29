#include "pipeline/transaction_policy.h"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using pipeline::TimePoint;
using pipeline::TransactionPolicy;
using pipeline::TxnReaction;
using pipeline::TxnStep;
using pipeline::TxnStepError;
using Kind = pipeline::TxnReaction::Kind;

namespace {

const TimePoint t0{std::chrono::hours(1)};

TransactionPolicy policy() {
  return TransactionPolicy({}, 30s);
}

TxnStepError usable(std::string message) {
  return {std::move(message), false, false, {}};
}
TxnStepError unusable(std::string message) {
  return {std::move(message), true, false, {}};
}

}  // namespace

TEST(TransactionPolicy, NothingToAbortAtFirst) {
  auto p = policy();
  EXPECT_FALSE(p.doomed());
  EXPECT_EQ(p.abort_due(), TxnReaction{});
  EXPECT_FALSE(p.began());
}

TEST(TransactionPolicy, AFailedBeginDoomsOrEndsTheProducer) {
  auto p = policy();
  EXPECT_EQ(p.failed(TxnStep::begin, usable("coordinator not available")), TxnReaction{});
  EXPECT_TRUE(p.doomed());
  EXPECT_EQ(
      p.abort_due(),
      (TxnReaction{Kind::abort, "cannot begin a transaction: coordinator not available", {}}));

  auto q = policy();
  EXPECT_EQ(q.failed(TxnStep::begin, unusable("fenced")),
            (TxnReaction{Kind::producer_failed, "begin_transaction", "fenced"}));
  EXPECT_FALSE(q.doomed());
}

TEST(TransactionPolicy, ACheckpointNotWrittenAborts) {
  auto p = policy();
  EXPECT_EQ(p.failed(TxnStep::write_checkpoint, usable("queue full")),
            (TxnReaction{Kind::abort, "checkpoint not written: queue full", {}}));
  EXPECT_EQ(p.failed(TxnStep::write_checkpoint, unusable("fatal")).kind, Kind::producer_failed);
}

TEST(TransactionPolicy, ACommitThatFailedAbortsUnlessItsOutcomeIsUnknown) {
  auto p = policy();
  TxnStepError e{"broker refused", false, false, "send_offsets_to_transaction"};
  EXPECT_EQ(p.failed(TxnStep::commit, e),
            (TxnReaction{Kind::abort, "send_offsets_to_transaction failed: broker refused", {}}));
  // Timed out: the coordinator may still commit it, so no rewind to what we last saw committed.
  e = {"timed out", false, true, "commit_transaction"};
  EXPECT_EQ(p.failed(TxnStep::commit, e), (TxnReaction{Kind::producer_failed, "commit_transaction",
                                                       "outcome unknown: timed out"}));
  e = {"fenced", true, false, "send_offsets_to_transaction"};
  EXPECT_EQ(p.failed(TxnStep::commit, e),
            (TxnReaction{Kind::producer_failed, "send_offsets_to_transaction", "fenced"}));
}

TEST(TransactionPolicy, AFailedAbortEndsTheProducer) {
  auto p = policy();
  EXPECT_EQ(p.failed(TxnStep::abort, usable("timed out")),
            (TxnReaction{Kind::producer_failed, "abort_transaction", "timed out"}));
}

TEST(TransactionPolicy, ReasonsForDoom) {
  auto p = policy();
  p.checkpoint_report_failed(false, "no transaction open: ignored");
  EXPECT_FALSE(p.doomed());
  p.checkpoint_report_failed(true, "msg timed out");
  p.checkpoint_report_failed(true, "a second one");  // the first reason is kept
  EXPECT_EQ(p.abort_due().reason, "checkpoint not written: msg timed out");
  p.dead_letter_failed("DLQ refused");  // the newest dead-letter failure wins
  EXPECT_EQ(p.abort_due().reason, "dead letter not written: DLQ refused");
  p.dead_letters_acknowledged(false);  // doomed already: kept
  EXPECT_EQ(p.abort_due().reason, "dead letter not written: DLQ refused");
  p.ended();
  EXPECT_FALSE(p.doomed());
  p.dead_letters_acknowledged(true);
  EXPECT_FALSE(p.doomed());
  p.dead_letters_acknowledged(false);
  EXPECT_EQ(p.abort_due().reason, "dead letters not acknowledged in time");
}

TEST(TransactionPolicy, TheOpenTransactionsAgeDecidesAFencedProducersFate) {
  auto p = policy();
  p.begun(false, t0);
  p.begun(true, t0 + 10s);  // a no-op begin keeps the first time
  EXPECT_EQ(p.began(), t0);
  // Fenced 5 s into the transaction: another process took the transactional.id.
  EXPECT_FALSE(p.producer_failure(true, t0 + 5s).recover);
  // Fenced 45 s in (longer than transaction.timeout.ms): the coordinator's own abort.
  auto q = policy();
  q.begun(false, t0);
  EXPECT_TRUE(q.producer_failure(true, t0 + 45s).recover);
  q.ended();
  EXPECT_FALSE(q.began());
}
