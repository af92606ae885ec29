#include <gtest/gtest.h>

#include <string>

#include "pipeline/fifo.h"

namespace {

TEST(Fifo, FirstInFirstOutAcrossCompaction) {
  pipeline::Fifo<std::string> q;
  EXPECT_TRUE(q.empty());
  int next_in = 0, next_out = 0;
  // Interleaved pushes and pops, with the front half dead long enough to be compacted.
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 3000; ++i) q.push_back("record-" + std::to_string(next_in++));
    for (int i = 0; i < 2500; ++i) {
      ASSERT_FALSE(q.empty());
      EXPECT_EQ(q.front(), "record-" + std::to_string(next_out++));
      q.pop_front();
    }
    EXPECT_EQ(q.size(), static_cast<std::size_t>(next_in - next_out));
  }
  while (!q.empty()) {
    EXPECT_EQ(q.front(), "record-" + std::to_string(next_out++));
    q.pop_front();
  }
  EXPECT_EQ(next_out, next_in);
  EXPECT_EQ(q.size(), 0u);
  q.push_back("again");
  EXPECT_EQ(q.front(), "again");
}

}  // namespace
