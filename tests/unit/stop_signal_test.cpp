#include "util/stop_signal.h"

#include <gtest/gtest.h>

#include <chrono>

TEST(StopSignal, RequestStopWakesWaiter) {
  util::install_stop_handlers();
  util::reset_stop();
  EXPECT_FALSE(util::wait_for_stop(std::chrono::milliseconds(1)));
  util::request_stop();
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(util::wait_for_stop(std::chrono::seconds(5)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
  util::reset_stop();
  EXPECT_FALSE(util::stop_requested());
}

TEST(StopSignal, BudgetsShrinkToTheHardStopDeadlineOnceSignalled) {
  using std::chrono::milliseconds;
  using util::bounded_budget;
  EXPECT_EQ(bounded_budget(milliseconds(30000), false, milliseconds(0)), milliseconds(30000));
  // Right after the signal: what is left before the watchdog, minus the closing margin.
  const auto fresh = bounded_budget(milliseconds(30000), true, milliseconds(0));
  EXPECT_LT(fresh, util::kHardStopAfter);
  EXPECT_GT(fresh, milliseconds(1000));
  EXPECT_EQ(bounded_budget(milliseconds(500), true, milliseconds(0)), milliseconds(500));
  EXPECT_EQ(bounded_budget(milliseconds(30000), true, milliseconds(60000)), milliseconds(1));
  EXPECT_EQ(bounded_budget(milliseconds(0), true, milliseconds(0)), milliseconds(1));
  EXPECT_LT(util::kHardStopAfter, util::kStopLimit);
}

TEST(StopSignal, RequestStopAloneDoesNotShortenBudgets) {
  util::install_stop_handlers();
  util::reset_stop();
  util::request_stop();
  EXPECT_EQ(util::stop_bounded(std::chrono::milliseconds(30000)), std::chrono::milliseconds(30000));
  util::reset_stop();
}
