// The whole delay sequences of the three policies that back off (record retries, failed commits,
// producer recoveries), pinned before they shared util::Backoff: the same delays, step for step,
// including the edges (a cap below the first delay, a zero first delay, huge step counts).
#include <gtest/gtest.h>

#include <chrono>
#include <climits>
#include <vector>

#include "pipeline/commit_schedule.h"
#include "pipeline/producer_recovery.h"
#include "pipeline/retry_policy.h"

using namespace std::chrono_literals;
using pipeline::TimePoint;
using us = std::chrono::microseconds;

namespace {

std::vector<us> retry_delays(const pipeline::RetryPolicy& p, int attempts, double u = 0.5) {
  std::vector<us> out;
  for (int n = 0; n <= attempts; ++n) out.push_back(p.backoff_after(n, u));
  return out;
}

// The backoffs of `failures` failed commits in a row.
std::vector<us> commit_delays(pipeline::CommitSettings s, int failures) {
  pipeline::CommitSchedule c(s);
  std::vector<us> out{c.backoff()};
  TimePoint t{1h};
  for (int i = 0; i < failures; ++i) {
    c.finished(1, t);
    c.failed(t);
    out.push_back(c.backoff());
    t += 1h;
  }
  return out;
}

std::vector<pipeline::Clock::duration> recovery_delays(pipeline::ProducerRecoveryLimits l,
                                                       int recoveries) {
  l.max_recoveries = recoveries;
  l.window = 1000h;
  pipeline::ProducerRecovery r(l, 30s);
  std::vector<pipeline::Clock::duration> out;
  TimePoint t{1h};
  for (int i = 0; i < recoveries; ++i) {
    auto d = r.on_failure({}, t);
    EXPECT_TRUE(d.recover);
    out.push_back(d.backoff);
    t += 1s;
  }
  EXPECT_FALSE(r.on_failure({}, t).recover);
  return out;
}

}  // namespace

TEST(BackoffSequences, RetryPolicyDefault) {
  pipeline::RetryPolicy p;  // 1s, x2, cap 30s
  EXPECT_EQ(retry_delays(p, 8), (std::vector<us>{1s, 1s, 2s, 4s, 8s, 16s, 30s, 30s, 30s}));
  EXPECT_EQ(p.backoff_after(INT_MAX), 30s);
  EXPECT_EQ(p.backoff_after(-5), 1s);
}

TEST(BackoffSequences, RetryPolicyEdges) {
  pipeline::RetryPolicy p;
  p.initial_backoff = 0us;
  EXPECT_EQ(p.backoff_after(INT_MAX), 0us);
  p.jitter = 1.0;
  EXPECT_EQ(p.backoff_after(INT_MAX, 0.9), 0us);
  p.initial_backoff = 3us;
  p.max_backoff = 1us;  // a cap below the first delay wins
  p.jitter = 0.0;
  EXPECT_EQ(retry_delays(p, 3), (std::vector<us>{1us, 1us, 1us, 1us}));
  p.initial_backoff = 7us;
  p.max_backoff = 1000us;
  p.multiplier = 1.5;
  EXPECT_EQ(retry_delays(p, 5), (std::vector<us>{7us, 7us, 11us, 16us, 24us, 35us}));
  p.jitter = 1.0;
  EXPECT_EQ(retry_delays(p, 3, 0.0), (std::vector<us>{0us, 0us, 0us, 0us}));
  EXPECT_EQ(retry_delays(p, 3, 0.999), (std::vector<us>{14us, 14us, 21us, 31us}));
  p.multiplier = 1.0;
  EXPECT_EQ(p.backoff_after(INT_MAX), 7us);
  p.initial_backoff = std::chrono::hours(24 * 365);  // far beyond any setting, still no overflow
  p.max_backoff = std::chrono::hours(24 * 365 * 100);
  p.multiplier = 2.0;
  p.jitter = 0.0;
  EXPECT_EQ(p.backoff_after(INT_MAX), std::chrono::hours(24 * 365 * 100));
}

TEST(BackoffSequences, CommitScheduleDefault) {
  pipeline::CommitSettings s;  // 100ms, doubled, cap 5s
  EXPECT_EQ(commit_delays(s, 9),
            (std::vector<us>{0us, 100ms, 200ms, 400ms, 800ms, 1600ms, 3200ms, 5s, 5s, 5s}));
}

TEST(BackoffSequences, CommitScheduleEdges) {
  pipeline::CommitSettings s;
  s.min_failure_backoff = 3us;
  s.max_failure_backoff = 1000us;
  EXPECT_EQ(commit_delays(s, 12), (std::vector<us>{0us, 3us, 6us, 12us, 24us, 48us, 96us, 192us,
                                                   384us, 768us, 1000us, 1000us, 1000us}));
  s.min_failure_backoff = 2s;
  s.max_failure_backoff = 1s;
  EXPECT_EQ(commit_delays(s, 3), (std::vector<us>{0us, 1s, 1s, 1s}));
  s.min_failure_backoff = 0us;
  EXPECT_EQ(commit_delays(s, 3), (std::vector<us>{0us, 0us, 0us, 0us}));
  s.min_failure_backoff = 1us;
  s.max_failure_backoff = us::max();
  const auto many = commit_delays(s, 40);
  EXPECT_EQ(many[1], 1us);
  EXPECT_EQ(many[40], us(1LL << 39));
}

TEST(BackoffSequences, ProducerRecoveryDefault) {
  pipeline::ProducerRecoveryLimits l;  // 1s, doubled, cap 10s
  using D = pipeline::Clock::duration;
  EXPECT_EQ(recovery_delays(l, 6), (std::vector<D>{1s, 2s, 4s, 8s, 10s, 10s}));
}

TEST(BackoffSequences, ProducerRecoveryEdges) {
  using D = pipeline::Clock::duration;
  pipeline::ProducerRecoveryLimits l;
  l.first_backoff = D(3);
  l.max_backoff = D(100);
  EXPECT_EQ(recovery_delays(l, 8),
            (std::vector<D>{D(3), D(6), D(12), D(24), D(48), D(96), D(100), D(100)}));
  l.first_backoff = 20s;
  EXPECT_EQ(recovery_delays(l, 2), (std::vector<D>{D(100), D(100)}));
  l.first_backoff = 0s;
  EXPECT_EQ(recovery_delays(l, 2), (std::vector<D>{0s, 0s}));
}
