#include "pipeline/dead_letter_outbox.h"

#include <gtest/gtest.h>

using pipeline::DeadLetterOutbox;
using pipeline::ErrorClass;
using pipeline::OutboxEntry;

TEST(DeadLetterOutbox, MatchesReportsInOrderPerPartition) {
  DeadLetterOutbox box;
  box.sent(0, OutboxEntry{0, 10, 1, ErrorClass::processing, "A", 5});
  box.sent(0, OutboxEntry{0, 11, 1, ErrorClass::validation, "B", 7});
  box.sent(1, OutboxEntry{1, 3, 2, ErrorClass::deserialization, "", 0});
  EXPECT_EQ(box.in_flight(), 3u);
  auto b1 = box.reported(1, "", 0);
  ASSERT_TRUE(b1);
  EXPECT_EQ(b1->source_offset, 3);
  EXPECT_EQ(b1->epoch, 2u);
  auto a = box.reported(0, "A", 5);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->source_offset, 10);
  EXPECT_EQ(box.in_flight(), 1u);
}

TEST(DeadLetterOutbox, FallsBackToTheMatchingEntryAndRejectsUnknownReports) {
  DeadLetterOutbox box;
  box.sent(0, OutboxEntry{0, 10, 1, ErrorClass::processing, "A", 5});
  box.sent(0, OutboxEntry{0, 11, 1, ErrorClass::processing, "B", 7});
  auto b = box.reported(0, "B", 7);  // out of order: still found by key and size
  ASSERT_TRUE(b);
  EXPECT_EQ(b->source_offset, 11);
  EXPECT_FALSE(box.reported(0, "B", 7));
  EXPECT_FALSE(box.reported(0, "A", 6));
  EXPECT_FALSE(box.reported(3, "A", 5));
  EXPECT_TRUE(box.reported(0, "A", 5));
  EXPECT_EQ(box.in_flight(), 0u);
}
