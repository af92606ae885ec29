// OrderReader: framing per record, writer schemas by id (cached, bounded, time-limited),
// resolution against the Order reader schema, and "later" when the registry cannot answer.
#include "orders/order_reader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "avro/canonical.h"
#include "avro/codec.h"
#include "avro/framing.h"
#include "orders/order_codec.h"
#include "orders/order_schema.h"

using namespace std::chrono_literals;
using orders::Order;
using orders::ReadResult;

namespace {

std::string schema_file(const std::string& name) {
  std::ifstream in(std::string(ORDERS_SOURCE_DIR) + "/schemas/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class FakeSource : public orders::SchemaSource {
 public:
  std::map<std::uint32_t, std::string> schemas;
  bool down = false;
  int calls = 0;
  orders::SchemaLookup by_id(std::uint32_t id) override {
    ++calls;
    if (down) return orders::SchemaUnavailable{"connection refused"};
    auto it = schemas.find(id);
    if (it == schemas.end()) return orders::SchemaUnknown{"40403 schema not found"};
    return orders::SchemaFound{it->second};
  }
};

std::string confluent(std::uint32_t id, const std::string& avro) {
  std::string v;
  avro::append_confluent_header(id, v);
  return v + avro;
}

// An Order written with schemas/order-v2.avsc (quantity, currency added with defaults).
std::string v2_bytes(const Order& o, int quantity, const std::string& currency) {
  const auto v2 = avro::Schema::parse(schema_file("order-v2.avsc"));
  avro::Record r;
  r.fields = {o.order_id, o.product, o.price, std::int32_t{quantity}, currency};
  std::string out;
  EXPECT_FALSE(avro::encode(v2, avro::Datum(r), out));
  return out;
}

class OrderReaderTest : public testing::Test {
 protected:
  FakeSource source;
  std::chrono::steady_clock::time_point now{};
  static orders::SchemaLimits limits() {
    orders::SchemaLimits l;
    l.known = {3, 60s};
    return l;
  }
  orders::OrderReader reader{&source, limits(), [this] { return now; }};
  Order out;
};

}  // namespace

TEST_F(OrderReaderTest, RawUsesTheFastPathWithoutTheRegistry) {
  const Order o{"ORD-1", "Laptop", 999.99f};
  auto r = reader.read(orders::encode_order(o), out);
  ASSERT_EQ(r.kind, ReadResult::Kind::read) << r.reason;
  EXPECT_EQ(r.framed.framing, avro::Framing::raw);
  EXPECT_EQ(out, o);
  EXPECT_EQ(source.calls, 0);
}

TEST_F(OrderReaderTest, ConfluentV1AndV2ResolveAndAreCachedById) {
  source.schemas[7] = schema_file("order.avsc");
  source.schemas[9] = schema_file("order-v2.avsc");
  const Order o{"ORD-2", "Mouse", 25.5f};
  for (int i = 0; i < 3; ++i) {
    auto r = reader.read(confluent(7, orders::encode_order(o)), out);
    ASSERT_EQ(r.kind, ReadResult::Kind::read) << r.reason;
    EXPECT_EQ(r.framed.schema_id, 7u);
    EXPECT_EQ(out, o);
    r = reader.read(confluent(9, v2_bytes(o, 3, "EUR")), out);
    ASSERT_EQ(r.kind, ReadResult::Kind::read) << r.reason;
    EXPECT_EQ(out, o);
  }
  EXPECT_EQ(source.calls, 2);  // once per id, not once per record
}

TEST_F(OrderReaderTest, UnknownIdIsAFailureWithTheReasonAndIsCachedToo) {
  auto r = reader.read(confluent(42, orders::encode_order({"A", "B", 1.0f})), out);
  EXPECT_EQ(r.kind, ReadResult::Kind::failed);
  EXPECT_NE(r.reason.find("schema id 42 unknown"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("40403"), std::string::npos) << r.reason;
  reader.read(confluent(42, "x"), out);
  EXPECT_EQ(source.calls, 1);
}

TEST_F(OrderReaderTest, RegistryDownIsLaterAndAskedAgainNextTime) {
  source.schemas[7] = schema_file("order.avsc");
  source.down = true;
  const auto v = confluent(7, orders::encode_order({"A", "B", 1.0f}));
  auto r = reader.read(v, out);
  EXPECT_EQ(r.kind, ReadResult::Kind::later);
  EXPECT_NE(r.reason.find("connection refused"), std::string::npos) << r.reason;
  source.down = false;
  r = reader.read(v, out);
  EXPECT_EQ(r.kind, ReadResult::Kind::read) << r.reason;
  EXPECT_EQ(source.calls, 2);
}

TEST_F(OrderReaderTest, CacheEntriesExpireAndTheCacheIsBounded) {
  for (std::uint32_t id = 1; id <= 5; ++id) source.schemas[id] = schema_file("order.avsc");
  const auto payload = orders::encode_order({"A", "B", 1.0f});
  for (std::uint32_t id = 1; id <= 5; ++id) {
    reader.read(confluent(id, payload), out);
    now += 1s;  // so the oldest entry is the one closest to expiry
  }
  EXPECT_EQ(source.calls, 5);
  reader.read(confluent(5, payload), out);  // still cached
  EXPECT_EQ(source.calls, 5);
  reader.read(confluent(1, payload), out);  // evicted (capacity 3)
  EXPECT_EQ(source.calls, 6);
  now += 61s;  // every entry expired
  reader.read(confluent(5, payload), out);
  EXPECT_EQ(source.calls, 7);
  reader.read(confluent(1, payload), out);
  EXPECT_EQ(source.calls, 8);
}

TEST_F(OrderReaderTest, ARunOfOneIdNoticesExpiryWithinClockEveryReads) {
  source.schemas[1] = schema_file("order.avsc");
  const auto value = confluent(1, orders::encode_order({"A", "B", 1.0f}));
  reader.read(value, out);
  EXPECT_EQ(source.calls, 1);
  now += 61s;  // expired, but the run goes on without looking at the clock for a while
  for (int i = 1; i < orders::OrderReader::kClockEvery; ++i) {
    ASSERT_EQ(reader.read(value, out).kind, orders::ReadResult::Kind::read);
  }
  EXPECT_EQ(source.calls, 1);
  reader.read(value, out);
  EXPECT_EQ(source.calls, 2);
  EXPECT_EQ(out.order_id, "A");
}

TEST_F(OrderReaderTest, IncompatibleWriterSchemaIsAFailure) {
  source.schemas[3] =
      R"({"type":"record","name":"Order","fields":[{"name":"orderId","type":"int"}]})";
  source.schemas[4] = "not json";
  auto r = reader.read(confluent(3, std::string("\x02", 1)), out);
  EXPECT_EQ(r.kind, ReadResult::Kind::failed);
  EXPECT_NE(r.reason.find("cannot be read as Order"), std::string::npos) << r.reason;
  r = reader.read(confluent(4, std::string("\x02", 1)), out);
  EXPECT_EQ(r.kind, ReadResult::Kind::failed);
}

TEST_F(OrderReaderTest, BadAvroAfterAGoodHeaderIsAFailure) {
  source.schemas[7] = schema_file("order.avsc");
  source.schemas[9] = schema_file("order-v2.avsc");
  EXPECT_EQ(reader.read(confluent(7, "\x7f"), out).kind, ReadResult::Kind::failed);
  EXPECT_EQ(reader.read(confluent(9, "\x7f"), out).kind, ReadResult::Kind::failed);
}

TEST_F(OrderReaderTest, ConfluentWithoutARegistryIsAFailure) {
  orders::OrderReader bare(nullptr);
  auto r = bare.read(confluent(7, orders::encode_order({"A", "B", 1.0f})), out);
  EXPECT_EQ(r.kind, ReadResult::Kind::failed);
  EXPECT_NE(r.reason.find("--schema-registry"), std::string::npos);
}

// Without a registry a raw Order with an empty orderId (first byte 0x00) stays a raw Order, so
// validation (not deserialization) refuses it, as in the original system.
TEST_F(OrderReaderTest, WithoutARegistryALeadingZeroIsARawOrder) {
  orders::OrderReader bare(nullptr);
  const Order o{"", "Laptop", 5.0f};
  auto r = bare.read(orders::encode_order(o), out);
  ASSERT_EQ(r.kind, ReadResult::Kind::read) << r.reason;
  EXPECT_EQ(out, o);
}

TEST_F(OrderReaderTest, SingleObjectByFingerprint) {
  const Order o{"ORD-3", "Desk", 120.0f};
  std::string v;
  avro::append_single_object_header(
      avro::fingerprint64(avro::Schema::parse(orders::kOrderSchemaJson)), v);
  auto r = reader.read(v + orders::encode_order(o), out);
  ASSERT_EQ(r.kind, ReadResult::Kind::read) << r.reason;
  EXPECT_EQ(r.framed.framing, avro::Framing::single_object);
  EXPECT_EQ(out, o);
  // v2's fingerprint is known once a v2 schema was fetched by id.
  const auto v2_fp = avro::fingerprint64(avro::Schema::parse(schema_file("order-v2.avsc")));
  std::string v2;
  avro::append_single_object_header(v2_fp, v2);
  v2 += v2_bytes(o, 2, "USD");
  EXPECT_EQ(reader.read(v2, out).kind, ReadResult::Kind::failed);
  source.schemas[9] = schema_file("order-v2.avsc");
  reader.read(confluent(9, v2_bytes(o, 2, "USD")), out);
  r = reader.read(v2, out);
  ASSERT_EQ(r.kind, ReadResult::Kind::read) << r.reason;
  EXPECT_EQ(out, o);
  // Read every 50 s (ttl 60 s), it never expires: a fingerprint means one schema forever.
  for (int i = 0; i < 5; ++i) {
    now += 50s;
    ASSERT_EQ(reader.read(v2, out).kind, ReadResult::Kind::read) << i;
  }
  now += 61s;  // unused for longer than the ttl: gone
  EXPECT_EQ(reader.read(v2, out).kind, ReadResult::Kind::failed);
}
