// Records finished, rolled back by an aborted commit, and whether a later state covers them again.
#include <gtest/gtest.h>

#include "pipeline/rolled_back.h"

using pipeline::Coverage;
using pipeline::FinishedSet;
using pipeline::RolledBack;

TEST(RolledBack, WhatOnlyThePipelineCoveredIsRolledBack) {
  RolledBack r;
  // Durable: below 10. Done: below 20, plus 21, 22 and 24 (20 and 23 wait for a retry).
  r.rewound({20, FinishedSet{20, 24, {23}}}, {10, {}});
  EXPECT_EQ(r.not_redone({10, {}}), 13u);                        // 10..19, 21, 22, 24
  EXPECT_EQ(r.not_redone({20, {}}), 3u);                         // 21, 22 and 24
  EXPECT_EQ(r.not_redone({21, FinishedSet{21, 24, {23}}}), 1u);  // 21 not yet again
  EXPECT_EQ(r.not_redone({23, FinishedSet{23, 24, {}}}), 0u);    // 23 was never finished
  EXPECT_EQ(r.not_redone({25, {}}), 0u);
}

TEST(RolledBack, RecordsInTheDurableFinishedSetWereNotRolledBack) {
  RolledBack r;
  r.rewound({8, {}}, {5, FinishedSet{5, 7, {6}}});  // durable covers <5 and 7
  EXPECT_EQ(r.not_redone({5, {}}), 2u);             // 5 and 6
  EXPECT_FALSE(r.empty());
}

TEST(RolledBack, RepeatedRewindsAccumulateWithoutDoubleCounting) {
  RolledBack r;
  r.rewound({10, {}}, {0, {}});
  r.rewound({15, {}}, {0, {}});
  r.rewound({4, {}}, {0, {}});
  EXPECT_EQ(r.not_redone({0, {}}), 15u);
  EXPECT_EQ(r.not_redone({12, {}}), 3u);
}

TEST(RolledBack, NothingTakenNothingRolledBack) {
  RolledBack r;
  r.rewound({std::nullopt, {}}, {7, {}});
  r.rewound({7, {}}, {std::nullopt, {}});
  r.rewound({7, {}}, {7, {}});
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.not_redone({std::nullopt, {}}), 0u);
}
