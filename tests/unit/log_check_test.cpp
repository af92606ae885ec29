// A restored position against the log: the range check, the anchor and its fingerprint, the
// anchor in the checkpoint and the start plan.
#include "pipeline/log_check.h"

#include <gtest/gtest.h>

#include "pipeline/checkpoint.h"
#include "pipeline/start_plan.h"

using pipeline::AnchorCheck;
using pipeline::check_anchor;
using pipeline::check_start;
using pipeline::LogRange;
using pipeline::record_fingerprint;
using pipeline::RecordAnchor;
using Kind = pipeline::StartCheck::Kind;

TEST(LogCheck, AStartWithinTheLogIsKept) {
  for (std::int64_t at : {0, 10, 99, 100}) {
    const auto c = check_start(at, at, LogRange{0, 100});
    EXPECT_EQ(c.kind, Kind::ok) << at;
    EXPECT_EQ(c.start, at);
    EXPECT_EQ(c.lost, 0);
  }
  // Nothing known: the reset policy decides, whatever the log.
  EXPECT_EQ(check_start(std::nullopt, std::nullopt, LogRange{5, 5}).kind, Kind::ok);
  EXPECT_FALSE(check_start(std::nullopt, std::nullopt, LogRange{5, 5}).start);
  // librdkafka's "no committed offset" is negative: not a position.
  EXPECT_EQ(check_start(3, -1001, LogRange{0, 10}).kind, Kind::ok);
}

TEST(LogCheck, AStartBeyondTheLogEndIsAMismatchNamingBoth) {
  // A topic recreated under its checkpoint: 1,000 records then, 40 now.
  const auto c = check_start(1000, std::nullopt, LogRange{0, 40});
  EXPECT_EQ(c.kind, Kind::mismatch);
  EXPECT_NE(c.reason.find("1000"), std::string::npos) << c.reason;
  EXPECT_NE(c.reason.find("[0, 40)"), std::string::npos) << c.reason;
}

TEST(LogCheck, ACommittedOffsetBeyondTheLogEndIsAMismatchToo) {
  // The checkpoint (at-least-once, behind the commit) fits; the committed offset does not.
  const auto c = check_start(30, 500, LogRange{0, 40});
  EXPECT_EQ(c.kind, Kind::mismatch);
  EXPECT_NE(c.reason.find("committed offset 500"), std::string::npos) << c.reason;
  // Without a checkpoint at all.
  EXPECT_EQ(check_start(500, 500, LogRange{0, 40}).kind, Kind::mismatch);
}

TEST(LogCheck, AStartBelowTheLogStartCountsTheDeletedRecordsAndGoesOnThere) {
  const auto c = check_start(10, 10, LogRange{250, 300});
  EXPECT_EQ(c.kind, Kind::below_start);
  EXPECT_EQ(c.start, 250);
  EXPECT_EQ(c.lost, 240);
  EXPECT_NE(c.reason.find("240 record(s)"), std::string::npos) << c.reason;
}

TEST(LogCheck, FingerprintsTellRecordsApartAndStayStable) {
  const auto a = record_fingerprint(1000, "k", "value");
  EXPECT_EQ(a, record_fingerprint(1000, "k", "value"));
  EXPECT_NE(a, record_fingerprint(1001, "k", "value"));
  EXPECT_NE(a, record_fingerprint(1000, "k", "valuf"));
  EXPECT_NE(a, record_fingerprint(1000, "kv", "alue"));  // field borders count
  EXPECT_NE(record_fingerprint(1000, std::nullopt, "v"), record_fingerprint(1000, "", "v"));
  EXPECT_NE(record_fingerprint(1000, "k", std::nullopt), record_fingerprint(1000, "k", ""));
  // Stored in checkpoints: the same value in every build (FNV-1a over 24 bytes 0xff, as Python
  // computes it too).
  EXPECT_EQ(record_fingerprint(-1, std::nullopt, std::nullopt), 0x4d21b8586586b16dull)
      << std::hex << record_fingerprint(-1, std::nullopt, std::nullopt);
}

TEST(LogCheck, TheAnchorIsComparedAtItsOffsetOnly) {
  const RecordAnchor anchor{41, 0xabcull};
  EXPECT_EQ(check_anchor(anchor, 40, 1), AnchorCheck::pending);
  EXPECT_EQ(check_anchor(anchor, 41, 0xabcull), AnchorCheck::verified);
  EXPECT_EQ(check_anchor(anchor, 41, 0xabdull), AnchorCheck::mismatch);
  EXPECT_EQ(check_anchor(anchor, 42, 0xabcull), AnchorCheck::unverifiable);
}

TEST(LogCheck, TheRefusalNamesThePartitionWhatWasFoundAndTheFlag) {
  for (const bool refusing : {true, false}) {
    const auto m = pipeline::log_mismatch_message("orders", 3, "it restarts at offset 9",
                                                  "--on-log-mismatch start-over", refusing);
    EXPECT_NE(m.find("orders[3]"), std::string::npos);
    EXPECT_NE(m.find("offset 9"), std::string::npos);
    EXPECT_NE(m.find("--on-log-mismatch start-over"), std::string::npos);
    // Only the refusal says it refuses; a start-over says so instead.
    EXPECT_EQ(m.find("Refusing to go on") != std::string::npos, refusing) << m;
    EXPECT_EQ(m.find("Starting it over now") != std::string::npos, !refusing) << m;
  }
}

TEST(LogCheck, TheAnchorRoundTripsInTheCheckpointAndReachesTheStartPlan) {
  pipeline::Checkpoint c;
  c.topic = "orders";
  c.partition = 1;
  c.offset = 100;
  c.group = "g";
  c.anchor = RecordAnchor{99, 0x0123456789abcdefull};
  const auto value = pipeline::encode_checkpoint(c);
  EXPECT_NE(value.find("\"fingerprint\":\"0123456789abcdef\""), std::string::npos) << value;
  const auto back = pipeline::decode_checkpoint(value);
  EXPECT_EQ(back, c);
  const auto plan = pipeline::plan_start(&back, 100, "g", false);
  ASSERT_TRUE(plan.anchor);
  EXPECT_EQ(*plan.anchor, *c.anchor);
  // Without one (a checkpoint of an older build): none, and none written.
  c.anchor.reset();
  EXPECT_EQ(pipeline::encode_checkpoint(c).find("anchor"), std::string::npos);
  EXPECT_FALSE(pipeline::decode_checkpoint(pipeline::encode_checkpoint(c)).anchor);
}

TEST(LogCheck, AMalformedAnchorIsRefusedWithAReason) {
  const std::string base =
      R"({"version":1,"topic":"t","partition":0,"offset":10,"group":"g","aggregate":)"
      R"({"count":0,"sum_cents":0,"revenue_cents":0,"min":null,"max":null,"by_product":{}},)";
  for (const char* anchor :
       {R"("anchor":{"offset":10,"fingerprint":"0000000000000000"}})",
        R"("anchor":{"offset":-1,"fingerprint":"0000000000000000"}})",
        R"("anchor":{"offset":3,"fingerprint":"xyz"}})", R"("anchor":{"offset":3}})"}) {
    EXPECT_THROW(pipeline::decode_checkpoint(base + anchor), pipeline::CheckpointError) << anchor;
  }
}
