// When restoring partitions read their start (pipeline/restore_schedule.h).
#include "pipeline/restore_schedule.h"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using pipeline::RestoreSchedule;

const pipeline::TimePoint kT0{std::chrono::seconds(100)};

TEST(RestoreSchedule, AssignedPartitionsAreRestoredAtOnce) {
  RestoreSchedule s;
  s.wanted(kT0);
  EXPECT_TRUE(s.attempt(true, false, kT0));
}

TEST(RestoreSchedule, AStillRestoringPartitionIsTriedAgainAfterTheRetryInterval) {
  RestoreSchedule s;
  s.wanted(kT0);
  ASSERT_TRUE(s.attempt(true, false, kT0));
  EXPECT_FALSE(s.attempt(true, false, kT0 + 199ms));
  EXPECT_TRUE(s.attempt(true, false, kT0 + RestoreSchedule::kRetry));
}

TEST(RestoreSchedule, AnAssignmentDuringARestoreBringsTheNextAttemptForward) {
  RestoreSchedule s;
  s.wanted(kT0);
  ASSERT_TRUE(s.attempt(true, false, kT0));  // the next one is 200 ms away
  s.wanted(kT0 + 10ms);                      // more partitions assigned meanwhile
  EXPECT_TRUE(s.attempt(true, false, kT0 + 10ms));
}

TEST(RestoreSchedule, NothingRestoringOrAFailedRunAttemptsNothing) {
  RestoreSchedule s;
  s.wanted(kT0);
  EXPECT_FALSE(s.attempt(false, false, kT0));
  EXPECT_FALSE(s.attempt(true, true, kT0));
  // Neither scheduled a retry: the next restoring partition is read at once.
  EXPECT_TRUE(s.attempt(true, false, kT0));
}

}  // namespace
