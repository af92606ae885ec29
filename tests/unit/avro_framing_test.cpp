// Framing detection against bytes written by the reference implementations.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "avro/canonical.h"
#include "avro/framing.h"
#include "avro/schema.h"
#include "orders/order_codec.h"
#include "orders/order_schema.h"
#include "test_hex.h"

using test_hex::from_hex;

namespace {

// {"orderId": "ORD-1", "product": "Laptop", "price": 999.99} with schemas/order.avsc:
// fastavro 1.13 schemaless_writer, ...
constexpr const char* kRawHex = "0a4f52442d310c4c6170746f705cff7944";
// ... confluent-kafka 2.16.1 AvroSerializer (schema id 4) ...
constexpr const char* kConfluentHex = "00000000040a4f52442d310c4c6170746f705cff7944";
// ... and the single-object header with fastavro's CRC-64-AVRO fingerprint of the schema
// (fastavro.schema.fingerprint prints its 8 bytes little-endian: 8c9d124d61206180).
constexpr const char* kSingleObjectHex = "c3018c9d124d612061800a4f52442d310c4c6170746f705cff7944";

}  // namespace

TEST(AvroFraming, ConfluentFromTheConfluentSerializer) {
  const auto bytes = from_hex(kConfluentHex);
  const auto f = avro::detect_framing(bytes);
  EXPECT_EQ(f.framing, avro::Framing::confluent);
  EXPECT_EQ(f.schema_id, 4u);
  EXPECT_EQ(f.payload, from_hex(kRawHex));
  std::string ours;
  avro::append_confluent_header(4, ours);
  orders::encode_order({"ORD-1", "Laptop", 999.99f}, ours);
  EXPECT_EQ(ours, bytes);
}

TEST(AvroFraming, ConfluentIdIsBigEndian) {
  std::string v;
  avro::append_confluent_header(0x01020304u, v);
  EXPECT_EQ(v, std::string("\x00\x01\x02\x03\x04", 5));
  v += "x";
  const auto f = avro::detect_framing(v);
  EXPECT_EQ(f.schema_id, 0x01020304u);
  EXPECT_EQ(f.payload, "x");
  avro::append_confluent_header(0xFFFFFFFFu, v = {});
  EXPECT_EQ(avro::detect_framing(v).schema_id, 0xFFFFFFFFu);
}

TEST(AvroFraming, SingleObjectWithTheSchemaFingerprint) {
  const auto bytes = from_hex(kSingleObjectHex);
  const auto f = avro::detect_framing(bytes);
  EXPECT_EQ(f.framing, avro::Framing::single_object);
  const auto schema = avro::Schema::parse(orders::kOrderSchemaJson);
  EXPECT_EQ(f.fingerprint, avro::fingerprint64(schema));
  EXPECT_EQ(f.payload, from_hex(kRawHex));
  std::string ours;
  avro::append_single_object_header(avro::fingerprint64(schema), ours);
  orders::encode_order({"ORD-1", "Laptop", 999.99f}, ours);
  EXPECT_EQ(ours, bytes);
}

TEST(AvroFraming, RawIsEverythingElse) {
  const auto raw = from_hex(kRawHex);
  auto f = avro::detect_framing(raw);
  EXPECT_EQ(f.framing, avro::Framing::raw);
  EXPECT_EQ(f.payload, raw);
  // Too short for the header its marker announces: raw (and it will not decode as an Order).
  for (const std::string& v :
       {std::string("\x00\x00\x00\x01", 4), std::string("\xC3\x01\x01", 3), std::string(),
        std::string("\xC3\x02"
                    "12345678",
                    10)}) {
    f = avro::detect_framing(v);
    EXPECT_EQ(f.framing, avro::Framing::raw);
    EXPECT_EQ(f.payload, v);
  }
  EXPECT_EQ(avro::to_string(avro::Framing::raw), "raw");
  EXPECT_EQ(avro::to_string(avro::Framing::confluent), "confluent");
  EXPECT_EQ(avro::to_string(avro::Framing::single_object), "single-object");
}

TEST(AvroFraming, EmbeddedOrderSchemaIsTheFile) {
  std::ifstream in(std::string(ORDERS_SOURCE_DIR) + "/schemas/order.avsc");
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty());
  EXPECT_EQ(avro::canonical_form(avro::Schema::parse(text.str())),
            avro::canonical_form(avro::Schema::parse(orders::kOrderSchemaJson)));
}
