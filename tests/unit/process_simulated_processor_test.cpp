#include <gtest/gtest.h>

#include <string>

#include "pipeline/stable_hash.h"
#include "process/simulated_processor.h"

using pipeline::ProcessResult;

// Reference values computed with the Python re-implementation used by the integration tests.
TEST(StableHash, MatchesReferenceValues) {
  EXPECT_EQ(pipeline::fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(pipeline::fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(pipeline::fnv1a64("foobar"), 0x85944171f73967e8ULL);
  EXPECT_EQ(pipeline::mix64(pipeline::fnv1a64("7:ORD-00001:1")), 0x655e8489b0d3aa9cULL);
  EXPECT_DOUBLE_EQ(process::simulated_roll(7, "ORD-00001", 1), 0.39597347604360655);
  EXPECT_DOUBLE_EQ(process::simulated_roll(7, "ORD-00001", 2), 0.1857414671846176);
  EXPECT_DOUBLE_EQ(process::simulated_roll(7, "ORD-00001", 3), 0.5438357268805971);
  EXPECT_DOUBLE_EQ(process::simulated_roll(0, "x", 1), 0.7579619820190544);
}

TEST(SimulatedProcessor, DecidesFromTheRoll) {
  // roll(7, ORD-00001, 1) = 0.396, attempt 2 = 0.186, attempt 3 = 0.544
  EXPECT_EQ(process::simulated_result(7, "ORD-00001", 1, 0.3, 0.0).kind, ProcessResult::Kind::ok);
  EXPECT_EQ(process::simulated_result(7, "ORD-00001", 1, 0.4, 0.0).kind,
            ProcessResult::Kind::transient);
  EXPECT_EQ(process::simulated_result(7, "ORD-00001", 2, 0.3, 0.0).kind,
            ProcessResult::Kind::transient);
  EXPECT_EQ(process::simulated_result(7, "ORD-00001", 2, 0.0, 0.2).kind,
            ProcessResult::Kind::permanent);
  EXPECT_EQ(process::simulated_result(7, "ORD-00001", 1, 0.1, 0.3).kind,
            ProcessResult::Kind::transient);  // 0.3 <= 0.396 < 0.4
  auto t = process::simulated_result(7, "ORD-00001", 2, 0.3, 0.0);
  EXPECT_EQ(t.error, "Simulated processing failure");
}

TEST(SimulatedProcessor, SameInputsSameFateAndRatesHold) {
  process::SimulatedProcessor a(42, 0.3, 0.05), b(42, 0.3, 0.05);
  int transient = 0, permanent = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    orders::Order o{"ORD-" + std::to_string(i), "P", 1.0f};
    const pipeline::ProcessRequest r{.id = 0,
                                     .order = o,
                                     .topic = "orders",
                                     .partition = 0,
                                     .offset = i,
                                     .key = std::nullopt,
                                     .attempt = 1,
                                     .traceparent = std::nullopt};
    auto ra = a.decide(r);
    EXPECT_EQ(ra, b.decide(r));
    transient += ra.kind == ProcessResult::Kind::transient;
    permanent += ra.kind == ProcessResult::Kind::permanent;
  }
  EXPECT_NEAR(transient / double(n), 0.30, 0.02);
  EXPECT_NEAR(permanent / double(n), 0.05, 0.01);
}

TEST(SimulatedProcessor, AttemptsAreIndependent) {
  // With FNV alone, keys differing in the last digit roll almost the same value; the mixer must
  // make "fails on attempt 1" say nothing about attempt 2.
  int both = 0, first = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string id = "ORD-" + std::to_string(i);
    bool f1 = process::simulated_roll(7, id, 1) < 0.3;
    bool f2 = process::simulated_roll(7, id, 2) < 0.3;
    first += f1;
    both += f1 && f2;
  }
  EXPECT_NEAR(both / double(first), 0.3, 0.03);
}

TEST(SimulatedProcessor, ZeroRatesNeverFail) {
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(process::simulated_result(1, std::to_string(i), 1, 0.0, 0.0).kind,
              ProcessResult::Kind::ok);
  }
}
