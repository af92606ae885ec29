// OrderReader's lookup policy (SchemaLimits): known writers bounded in estimated bytes, unknown
// ids kept apart and briefly, lookups of uncached ids rate-limited into "later" (never a dead
// letter), every kept reason bounded. An injected clock; no registry.
#include <gtest/gtest.h>

#include <map>

#include "avro/framing.h"
#include "orders/order_codec.h"
#include "orders/order_reader.h"
#include "orders/order_schema.h"

using namespace std::chrono_literals;
using orders::ReadResult;

namespace {

class Source : public orders::SchemaSource {
 public:
  std::map<std::uint32_t, orders::SchemaLookup> answers;
  int calls = 0;
  orders::SchemaLookup by_id(std::uint32_t id) override {
    ++calls;
    auto it = answers.find(id);
    if (it == answers.end()) return orders::SchemaUnknown{"40403 schema not found"};
    return it->second;
  }
};

class LookupPolicy : public testing::Test {
 protected:
  Source source;
  std::chrono::steady_clock::time_point now{};
  orders::Order out;

  static orders::SchemaLimits limits() {
    orders::SchemaLimits l;
    l.known = {100, 60s, std::size_t{64} << 20};
    l.missing = {10, 5s, std::size_t{1} << 20};
    l.lookups_per_second = 1000;
    l.lookup_burst = 1000;
    return l;
  }
  std::unique_ptr<orders::OrderReader> make(orders::SchemaLimits l = limits()) {
    return std::make_unique<orders::OrderReader>(&source, l, [this] { return now; });
  }
  ReadResult read(orders::OrderReader& r, std::uint32_t id) {
    std::string v;
    avro::append_confluent_header(id, v);
    return r.read(v + orders::encode_order({"ORD-1", "Desk", 10.0f}), out);
  }
  void know(std::uint32_t id) {
    source.answers[id] = orders::SchemaFound{std::string(orders::kOrderSchemaJson)};
  }
};

}  // namespace

TEST_F(LookupPolicy, AnUnknownIdIsRememberedForSecondsNotTheFullTtl) {
  auto r = make();
  know(1);
  // Reading another id in between makes each read of 9 consult the clock (no run memo).
  auto read_9 = [&] {
    read(*r, 1);
    return read(*r, 9).kind;
  };
  EXPECT_EQ(read_9(), ReadResult::Kind::failed);
  now += 4s;
  EXPECT_EQ(read_9(), ReadResult::Kind::failed);
  EXPECT_EQ(source.calls, 2);
  now += 2s;  // past the missing ttl: asked again, and now the registry has it
  know(9);
  EXPECT_EQ(read_9(), ReadResult::Kind::read);
  EXPECT_EQ(source.calls, 3);
  now += 50s;  // a known writer stays for the full ttl
  EXPECT_EQ(read_9(), ReadResult::Kind::read);
  EXPECT_EQ(source.calls, 3);
}

TEST_F(LookupPolicy, AFloodOfUnknownIdsNeverPushesOutKnownWriters) {
  auto r = make();
  know(1);
  know(2);
  ASSERT_EQ(read(*r, 1).kind, ReadResult::Kind::read);
  ASSERT_EQ(read(*r, 2).kind, ReadResult::Kind::read);
  for (std::uint32_t id = 1000; id < 1500; ++id) {
    ASSERT_EQ(read(*r, id).kind, ReadResult::Kind::failed) << id;
  }
  EXPECT_EQ(r->missing_ids(), 10u);  // bounded
  EXPECT_EQ(r->known_ids(), 2u);
  const int calls = source.calls;
  EXPECT_EQ(read(*r, 1).kind, ReadResult::Kind::read);
  EXPECT_EQ(read(*r, 2).kind, ReadResult::Kind::read);
  EXPECT_EQ(source.calls, calls);
}

TEST_F(LookupPolicy, LookupsOfUncachedIdsAreRateLimitedIntoLaterNeverAFailure) {
  auto l = limits();
  l.lookups_per_second = 10;
  l.lookup_burst = 3;
  auto r = make(l);
  know(1);
  ASSERT_EQ(read(*r, 1).kind, ReadResult::Kind::read);  // token 1
  EXPECT_EQ(read(*r, 100).kind, ReadResult::Kind::failed);
  EXPECT_EQ(read(*r, 101).kind, ReadResult::Kind::failed);
  const auto limited = read(*r, 102);  // the burst is spent
  EXPECT_EQ(limited.kind, ReadResult::Kind::later) << limited.reason;
  EXPECT_NE(limited.reason.find("schema id 102: not looked up yet"), std::string::npos)
      << limited.reason;
  EXPECT_NE(limited.reason.find("schema.registry.lookup.rate"), std::string::npos);
  EXPECT_EQ(source.calls, 3);
  EXPECT_EQ(r->rate_limited(), 1u);
  // Cached ids, known or not, need no token.
  EXPECT_EQ(read(*r, 1).kind, ReadResult::Kind::read);
  EXPECT_EQ(read(*r, 100).kind, ReadResult::Kind::failed);
  now += 100ms;  // one token back
  know(102);
  EXPECT_EQ(read(*r, 102).kind, ReadResult::Kind::read);
  EXPECT_EQ(read(*r, 103).kind, ReadResult::Kind::later);
  EXPECT_EQ(source.calls, 4);
}

TEST_F(LookupPolicy, AKnownIdWhoseEntryExpiredIsAskedAgainWithoutAToken) {
  auto l = limits();
  l.lookups_per_second = 0.001;  // one token per 1000 s
  l.lookup_burst = 1;
  auto r = make(l);
  know(1);
  ASSERT_EQ(read(*r, 1).kind, ReadResult::Kind::read);
  now += 61s;
  for (int i = 0; i < orders::OrderReader::kClockEvery; ++i) read(*r, 1);  // past the memo
  EXPECT_EQ(read(*r, 1).kind, ReadResult::Kind::read);
  EXPECT_EQ(source.calls, 2);
  EXPECT_EQ(read(*r, 2).kind, ReadResult::Kind::later);  // unknown ids still wait
}

TEST_F(LookupPolicy, KnownWritersAreBoundedInEstimatedBytes) {
  auto probe = make();
  know(1);
  ASSERT_EQ(read(*probe, 1).kind, ReadResult::Kind::read);
  const std::size_t one = probe->known_bytes();
  EXPECT_GT(one, std::string(orders::kOrderSchemaJson).size());
  auto l = limits();
  l.known.max_bytes = 2 * one + one / 2;
  auto r = make(l);
  for (std::uint32_t id = 1; id <= 5; ++id) {
    know(id);
    ASSERT_EQ(read(*r, id).kind, ReadResult::Kind::read) << id;
    now += 1s;
    EXPECT_LE(r->known_bytes(), l.known.max_bytes);
  }
  EXPECT_EQ(r->known_ids(), 2u);
}

TEST_F(LookupPolicy, AWriterLargerThanTheWholeCacheIsAFailureNotAnEviction) {
  auto l = limits();
  l.known.max_bytes = 64;  // less than any parsed schema
  auto r = make(l);
  know(1);
  const auto got = read(*r, 1);
  EXPECT_EQ(got.kind, ReadResult::Kind::failed);
  EXPECT_NE(got.reason.find("too large to keep"), std::string::npos) << got.reason;
  EXPECT_EQ(r->known_ids(), 0u);
  EXPECT_EQ(r->missing_ids(), 1u);
}

TEST_F(LookupPolicy, ReasonsAreBounded) {
  auto r = make();
  source.answers[5] = orders::SchemaUnknown{std::string(100000, 'x')};
  source.answers[6] = orders::SchemaUnavailable{std::string(100000, 'y')};
  source.answers[7] = orders::SchemaRefused{"a PROTOBUF schema, not Avro"};
  source.answers[8] = orders::SchemaFound{"{\"type\":\"record\",\"name\":\"" +
                                          std::string(100000, 'n') + "\",\"fields\":[]}"};
  for (std::uint32_t id : {5u, 6u, 8u}) {
    const auto got = read(*r, id);
    EXPECT_NE(got.kind, ReadResult::Kind::read);
    EXPECT_LE(got.reason.size(), limits().max_reason_bytes + 3) << id;
  }
  const auto refused = read(*r, 7);
  EXPECT_EQ(refused.kind, ReadResult::Kind::failed);
  EXPECT_EQ(refused.reason, "schema id 7: a PROTOBUF schema, not Avro");
}
