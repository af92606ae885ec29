#include "pipeline/producer_recovery.h"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using pipeline::ProducerFailure;
using pipeline::ProducerRecovery;
using pipeline::ProducerRecoveryLimits;
using pipeline::TimePoint;

namespace {

const TimePoint t0{std::chrono::hours(1)};
constexpr auto kTxnTimeout = 30s;

ProducerRecovery policy() {
  return ProducerRecovery(ProducerRecoveryLimits{}, kTxnTimeout);
}

}  // namespace

TEST(ProducerRecovery, FencedOnAYoungTransactionIsAnotherProcess) {
  auto p = policy();
  auto d = p.on_failure({.fenced = true, .transaction_began = t0}, t0 + 2s);
  EXPECT_FALSE(d.recover);
  EXPECT_NE(d.reason.find("another process took over"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("2000 ms"), std::string::npos) << d.reason;
}

TEST(ProducerRecovery, FencedWithNoTransactionOpenIsAnotherProcess) {
  auto p = policy();
  EXPECT_FALSE(p.on_failure({.fenced = true, .transaction_began = std::nullopt}, t0).recover);
}

TEST(ProducerRecovery, FencedAfterTheTransactionTimeoutIsTheCoordinatorsAbort) {
  auto p = policy();
  // Open across a broker outage: the coordinator aborted it and bumped the epoch.
  auto d = p.on_failure({.fenced = true, .transaction_began = t0}, t0 + 45s);
  EXPECT_TRUE(d.recover);
  EXPECT_EQ(d.attempt, 1);
  EXPECT_EQ(d.backoff, 1s);
  // Exactly at the timeout counts as the coordinator's.
  auto q = policy();
  EXPECT_TRUE(q.on_failure({.fenced = true, .transaction_began = t0}, t0 + kTxnTimeout).recover);
}

TEST(ProducerRecovery, OtherFatalErrorsRecoverWhateverTheTransactionsAge) {
  // E.g. "Conflicting commit_transaction API call is already in progress" after a commit that
  // timed out, or INVALID_TXN_STATE.
  auto p = policy();
  EXPECT_TRUE(p.on_failure({.fenced = false, .transaction_began = t0}, t0 + 1s).recover);
  auto q = policy();
  EXPECT_TRUE(q.on_failure({.fenced = false, .transaction_began = std::nullopt}, t0).recover);
}

TEST(ProducerRecovery, BacksOffExponentiallyAndGivesUpAfterTheLimitWithinTheWindow) {
  auto p = ProducerRecovery(
      ProducerRecoveryLimits{
          .max_recoveries = 4, .window = 10min, .first_backoff = 1s, .max_backoff = 5s},
      kTxnTimeout);
  const ProducerFailure f{.fenced = false, .transaction_began = std::nullopt};
  std::vector<std::chrono::seconds> backoffs;
  for (int i = 0; i < 4; ++i) {
    auto d = p.on_failure(f, t0 + i * 10s);
    ASSERT_TRUE(d.recover) << i;
    EXPECT_EQ(d.attempt, i + 1);
    backoffs.push_back(std::chrono::duration_cast<std::chrono::seconds>(d.backoff));
  }
  EXPECT_EQ(backoffs, (std::vector<std::chrono::seconds>{1s, 2s, 4s, 5s}));
  auto d = p.on_failure(f, t0 + 50s);
  EXPECT_FALSE(d.recover);
  EXPECT_NE(d.reason.find("4 time(s) within 600 s"), std::string::npos) << d.reason;
  // A refusal does not count: still refused, until the oldest recovery leaves the window.
  EXPECT_FALSE(p.on_failure(f, t0 + 60s).recover);
  auto later = p.on_failure(f, t0 + 10min);
  EXPECT_TRUE(later.recover);
  EXPECT_EQ(later.attempt, 4);  // three of the earlier ones are still within the window
}

TEST(ProducerRecovery, RecoveriesLongApartStartOver) {
  auto p = policy();
  for (int i = 0; i < 10; ++i) {
    auto d = p.on_failure({.fenced = false, .transaction_began = std::nullopt}, t0 + i * 11min);
    ASSERT_TRUE(d.recover) << i;
    EXPECT_EQ(d.attempt, 1);
    EXPECT_EQ(d.backoff, 1s);
  }
}

TEST(ProducerRecovery, ZombiePingPongEndsWithinTheLimit) {
  // A misjudged genuine fencing (the other process fences us again at once, each time after a
  // long transaction) is retried at most max_recoveries times within the window.
  auto p = policy();
  int recovered = 0;
  auto now = t0;
  while (p.on_failure({.fenced = true, .transaction_began = now - 40s}, now).recover) {
    ++recovered;
    now += 20s;
    ASSERT_LE(recovered, 10);
  }
  EXPECT_EQ(recovered, ProducerRecoveryLimits{}.max_recoveries);
}
