// kafka::Transaction against librdkafka's mock cluster made slow on demand: every blocking call
// is a slice, a stop (the Limit) shortens a call already running, and a commit_transaction that
// timed out says its outcome is unknown.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>

#include "kafka/mock_cluster.h"
#include "kafka/producer.h"
#include "kafka/transaction.h"

namespace kafka {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class TransactionSlices : public testing::Test {
 protected:
  void SetUp() override {
    cluster.create_topic("t", 1);
    Properties p = producer_defaults();
    p.set("bootstrap.servers", cluster.bootstrap());
    p.set("transactional.id", "slices-test");
    p.set("linger.ms", "0");
    producer = std::make_unique<Producer>(p, nullptr);
    ASSERT_FALSE(init_transactions(*producer, 10s, 500ms));
  }

  // A stop "arrives" `after` from now: from then on, nothing may be spent.
  Transaction::Limit stop_after(std::chrono::milliseconds after) {
    const auto at = Clock::now() + after;
    return [at, this](std::chrono::milliseconds left) {
      ++limit_calls;
      return Clock::now() >= at ? 1ms : left;
    };
  }

  MockCluster cluster;
  std::unique_ptr<Producer> producer;
  std::atomic<int> limit_calls{0};
};

TEST_F(TransactionSlices, ACommitOnAHealthyClusterSucceeds) {
  Transaction txn(*producer, stop_after(60s));
  ASSERT_FALSE(txn.begin());
  ASSERT_FALSE(producer->produce("t", "k", "v"));
  EXPECT_FALSE(txn.commit({}, nullptr, Clock::now() + 10s));
  EXPECT_FALSE(txn.open());
  EXPECT_FALSE(txn.outcome_unknown());
}

TEST_F(TransactionSlices, AStopShortensACommitThatTheBrokerDoesNotAnswer) {
  Transaction txn(*producer, stop_after(1s));
  ASSERT_FALSE(txn.begin());
  ASSERT_FALSE(producer->produce("t", "k", "v"));
  // Flushed first: librdkafka 2.0.2 asserts (txn_req_cnt > 0) when an AddPartitionsToTxn
  // answer arrives after the commit gave up, so only the EndTxn may be left unanswered.
  ASSERT_EQ(producer->flush(5s), 0);
  cluster.set_rtt(1, 30s);
  const auto t0 = Clock::now();
  const Error e = txn.commit({}, nullptr, t0 + 30s);
  const auto took = Clock::now() - t0;
  ASSERT_TRUE(e);
  EXPECT_TRUE(e.retriable) << e.message;
  EXPECT_TRUE(txn.outcome_unknown()) << e.message;
  EXPECT_GE(took, 900ms);  // it did wait for the broker until the stop
  EXPECT_STREQ(txn.failed_step(), "commit_transaction");
  // Without slices the call would have waited for its 30 s deadline.
  EXPECT_LT(took, 5s);
  EXPECT_GE(limit_calls.load(), 2);  // asked again between slices
  cluster.set_rtt(1, 0ms);
}

TEST_F(TransactionSlices, AStopShortensAnAbortThatTheBrokerDoesNotAnswer) {
  Transaction txn(*producer, stop_after(1s));
  ASSERT_FALSE(txn.begin());
  ASSERT_FALSE(producer->produce("t", "k", "v"));
  ASSERT_EQ(producer->flush(5s), 0);
  cluster.set_rtt(1, 30s);
  const auto t0 = Clock::now();
  const Error e = txn.abort(t0 + 30s);
  const auto took = Clock::now() - t0;
  ASSERT_TRUE(e);
  EXPECT_TRUE(e.retriable) << e.message;
  EXPECT_GE(took, 900ms) << e.message;  // it did wait for the broker until the stop
  EXPECT_LT(took, 5s) << e.message;
  EXPECT_FALSE(txn.open());  // closed whatever the outcome
  cluster.set_rtt(1, 0ms);
}

TEST_F(TransactionSlices, WithoutAStopACommitWaitsForASlowBrokerWithinItsDeadline) {
  Transaction txn(*producer);  // no limit: the deadline alone bounds it
  ASSERT_FALSE(txn.begin());
  ASSERT_FALSE(producer->produce("t", "k", "v"));
  cluster.set_rtt(1, 700ms);  // slower than a slice: resumed until it completes
  const Error e = txn.commit({}, nullptr, Clock::now() + 20s);
  EXPECT_FALSE(e) << e.message;
  EXPECT_FALSE(txn.outcome_unknown());
  cluster.set_rtt(1, 0ms);
}

}  // namespace
}  // namespace kafka
