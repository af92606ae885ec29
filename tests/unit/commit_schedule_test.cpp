// Batch (transaction) boundaries driven by a fake clock.
#include "pipeline/commit_schedule.h"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using pipeline::CommitSchedule;
using pipeline::CommitSettings;
using pipeline::TimePoint;

namespace {

CommitSettings settings() {
  CommitSettings s;
  s.max_records = 100;
  s.interval = 50ms;
  s.min_failure_backoff = 100ms;
  s.max_failure_backoff = 1s;
  return s;
}

}  // namespace

TEST(CommitSchedule, NothingPendingIsNeverDue) {
  CommitSchedule s(settings());
  const TimePoint t0 = TimePoint{} + 10s;
  EXPECT_FALSE(s.due(t0 + 1h));
  EXPECT_FALSE(s.deadline());
  s.finished(0, t0);
  EXPECT_FALSE(s.due(t0 + 1h));
}

TEST(CommitSchedule, DueAfterTheIntervalFromTheFirstFinishedRecord) {
  CommitSchedule s(settings());
  const TimePoint t0 = TimePoint{} + 10s;
  s.finished(1, t0);
  s.finished(5, t0 + 30ms);  // later records do not push the deadline out
  EXPECT_EQ(s.deadline(), t0 + 50ms);
  EXPECT_FALSE(s.due(t0 + 49ms));
  EXPECT_TRUE(s.due(t0 + 50ms));
  EXPECT_EQ(s.pending(), 6u);
  s.committed();
  EXPECT_FALSE(s.due(t0 + 1h));
  EXPECT_EQ(s.pending(), 0u);
}

TEST(CommitSchedule, DueAtOnceWhenTheBatchIsFull) {
  CommitSchedule s(settings());
  const TimePoint t0 = TimePoint{} + 10s;
  s.finished(99, t0);
  EXPECT_FALSE(s.due(t0));
  s.finished(1, t0 + 1ms);
  EXPECT_TRUE(s.due(t0 + 1ms));
  EXPECT_EQ(s.deadline(), t0);
}

TEST(CommitSchedule, FailuresBackOffExponentiallyUpToTheCap) {
  CommitSchedule s(settings());
  TimePoint t = TimePoint{} + 10s;
  std::vector<std::chrono::microseconds> seen;
  for (int i = 0; i < 6; ++i) {
    s.finished(100, t);
    ASSERT_TRUE(s.due(t) || i > 0);
    s.failed(t);
    seen.push_back(s.backoff());
    s.finished(100, t);                          // the re-processed batch is full again at once...
    EXPECT_FALSE(s.due(t + s.backoff() - 1ms));  // ...but waits for the backoff
    EXPECT_TRUE(s.due(t + s.backoff()));
    EXPECT_EQ(s.deadline(), t + s.backoff());
    t += s.backoff();
  }
  const std::vector<std::chrono::microseconds> want = {100ms, 200ms, 400ms, 800ms, 1s, 1s};
  EXPECT_EQ(seen, want);
  EXPECT_EQ(s.consecutive_failures(), 6);
  s.committed();
  EXPECT_EQ(s.backoff(), 0us);
  EXPECT_EQ(s.consecutive_failures(), 0);
}
