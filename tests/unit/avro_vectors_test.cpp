// Byte compatibility without Python: vectors written by fastavro
// (tests/vectors/generate_vectors.py) are decoded, re-encoded and rendered as Avro JSON by our
// codec, and must match exactly.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "avro/codec.h"
#include "avro/json_datum.h"
#include "avro/schema.h"
#include "orders/order_codec.h"
#include "test_hex.h"

using test_hex::from_hex;

namespace {

using Json = nlohmann::ordered_json;

std::string read_file(const std::string& relative) {
  std::ifstream in(std::string(ORDERS_SOURCE_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in) << relative;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Checks every case of one vector file; returns the number of cases.
std::size_t check_vectors(const std::string& file) {
  const Json doc = Json::parse(read_file(file));
  const auto schema = avro::Schema::parse(read_file(doc["schema"].get<std::string>()));
  std::size_t n = 0;
  for (const auto& c : doc["cases"]) {
    const std::string bytes = from_hex(c["hex"].get<std::string>());
    avro::Datum datum;
    auto err = avro::decode(schema, bytes, datum);
    EXPECT_FALSE(err) << file << " case " << n << ": " << err->message();
    if (err) continue;
    EXPECT_EQ(avro::datum_to_json(schema.root(), datum), c["json"]) << file << " case " << n;

    std::string reencoded;
    EXPECT_FALSE(avro::encode(schema, datum, reencoded));
    EXPECT_EQ(reencoded, bytes) << file << " case " << n;

    std::string error;
    auto from_json =
        avro::datum_from_json(schema.root(), c["json"], avro::JsonStyle::kTagged, error);
    EXPECT_TRUE(from_json) << error;
    if (from_json) {
      std::string encoded;
      EXPECT_FALSE(avro::encode(schema, *from_json, encoded));
      EXPECT_EQ(encoded, bytes) << file << " case " << n << " (from JSON)";
    }
    ++n;
  }
  return n;
}

TEST(AvroVectors, RichSchemaFromFastavro) {
  EXPECT_GE(check_vectors("tests/vectors/rich.json"), 10u);
}

TEST(AvroVectors, OrdersFromFastavro) {
  EXPECT_GE(check_vectors("tests/vectors/order.json"), 10u);
  // The Order fast path agrees with the same bytes.
  const Json doc = Json::parse(read_file("tests/vectors/order.json"));
  for (const auto& c : doc["cases"]) {
    const std::string bytes = from_hex(c["hex"].get<std::string>());
    orders::Order order;
    auto err = orders::decode_order(bytes, order);
    ASSERT_FALSE(err) << err->message();
    EXPECT_EQ(order.order_id, c["json"]["orderId"].get<std::string>());
    EXPECT_EQ(orders::encode_order(order), bytes);
  }
}

}  // namespace
