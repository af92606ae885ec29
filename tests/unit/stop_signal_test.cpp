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
