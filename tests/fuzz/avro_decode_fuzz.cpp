// libFuzzer target for the Avro decoders: the Order fast path and the generic codec over a few
// schemas, and the schema resolver. The first input byte picks the schema (mod 7), the rest is
// the Avro payload (for 6, its first byte picks the schema of the skipped field, mod 5).
//
// Properties checked on every input (any violation aborts):
//  - decoding never crashes, never reads out of bounds, never throws (ASan/UBSan watch);
//  - accepted input re-encodes; the re-encoding is canonical: never longer than the input
//    (other spellings pad varints or split/size array blocks), a fixed point of
//    decode -> encode, and it decodes to the same value bit for bit;
//  - for Order (no blocks) same length even means same bytes;
//  - resolving rich.avsc data as rich_reader.avsc accepts exactly what plain decoding accepts;
//  - the Order fast path and the generic codec accept exactly the same inputs, with the same
//    values;
//  - a writer-only field of any of the five schemas, skipped item by item, is refused exactly
//    when decoding it is, with the same error; skipping sized blocks whole accepts at least that.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "avro/codec.h"
#include "avro/json_datum.h"
#include "avro/resolver.h"
#include "avro/schema.h"
#include "orders/order_codec.h"

namespace {

// schemas/order.avsc
const char* kOrderSchema = R"({"type":"record","name":"Order","fields":[
    {"name":"orderId","type":"string"},{"name":"product","type":"string"},
    {"name":"price","type":"float"}]})";

// tests/vectors/rich.avsc, minified (so the vectors there make good seeds).
const char* kRichSchema =
    R"({"type":"record","name":"Rich","namespace":"interop.test","doc":"Exercises every Avro ty)"
    R"(pe and the logical types our codec knows.","fields":[{"name":"nothing","type":"null"},{")"
    R"(name":"flag","type":"boolean"},{"name":"small","type":"int"},{"name":"big","type":"long")"
    R"(},{"name":"ratio","type":"float"},{"name":"precise","type":"double"},{"name":"blob","typ)"
    R"(e":"bytes"},{"name":"text","type":"string"},{"name":"color","type":{"type":"enum","name")"
    R"(:"Color","symbols":["RED","GREEN","BLUE"],"default":"RED"}},{"name":"md5","type":{"type")"
    R"(:"fixed","name":"MD5","size":16}},{"name":"tags","type":{"type":"array","items":"string")"
    R"(}},{"name":"counts","type":{"type":"map","values":"long"}},{"name":"choice","type":["nul)"
    R"(l","string","long","Color",{"type":"record","name":"Point","namespace":"geo","fields":[{)"
    R"("name":"x","type":"double"},{"name":"y","type":"double"}]}]},{"name":"points","type":{"t)"
    R"(ype":"array","items":"geo.Point"}},{"name":"nested","type":{"type":"map","values":{"type)"
    R"(":"array","items":["null","int"]}}},{"name":"amount","type":{"type":"bytes","logicalType)"
    R"(":"decimal","precision":12,"scale":3}},{"name":"amount_fixed","type":{"type":"fixed","na)"
    R"(me":"Dec8","size":8,"logicalType":"decimal","precision":18,"scale":2}},{"name":"id","typ)"
    R"(e":{"type":"string","logicalType":"uuid"}},{"name":"day","type":{"type":"int","logicalTy)"
    R"(pe":"date"}},{"name":"tod_ms","type":{"type":"int","logicalType":"time-millis"}},{"name")"
    R"(:"tod_us","type":{"type":"long","logicalType":"time-micros"}},{"name":"ts_ms","type":{"t)"
    R"(ype":"long","logicalType":"timestamp-millis"}},{"name":"ts_us","type":{"type":"long","lo)"
    R"(gicalType":"timestamp-micros"}},{"name":"next","type":["null","Rich"],"default":null}]})";

// tests/vectors/rich_reader.avsc, minified: rich data read through schema resolution.
const char* kRichReaderSchema =
    R"({"type":"record","name":"Rich","namespace":"interop.test","doc":"A later version of rich)"
    R"(.avsc, for schema-resolution checks: fields dropped, added with defaults, reordered, pro)"
    R"(moted.","fields":[{"name":"next","type":["null","Rich"],"default":null},{"name":"flag",")"
    R"(type":"boolean"},{"name":"small","type":"long"},{"name":"big","type":"double"},{"name":")"
    R"(ratio","type":"double"},{"name":"precise","type":"double"},{"name":"blob","type":"bytes")"
    R"(},{"name":"text","type":"bytes"},{"name":"color","type":{"type":"enum","name":"Color","s)"
    R"(ymbols":["BLUE","GREEN","RED","PURPLE"],"default":"PURPLE"}},{"name":"md5","type":{"type)"
    R"(":"fixed","name":"MD5","size":16}},{"name":"tags","type":{"type":"array","items":"bytes")"
    R"(}},{"name":"counts","type":{"type":"map","values":"double"}},{"name":"choice","type":["n)"
    R"(ull","string","double","Color",{"type":"record","name":"Point","namespace":"geo","fields)"
    R"(":[{"name":"y","type":"double"},{"name":"z","type":"double","default":0.0}]}]},{"name":")"
    R"(points","type":{"type":"array","items":"geo.Point"}},{"name":"nested","type":{"type":"ma)"
    R"(p","values":{"type":"array","items":["null","long"]}}},{"name":"amount","type":{"type":")"
    R"(bytes","logicalType":"decimal","precision":12,"scale":3}},{"name":"identifier","aliases")"
    R"(:["id"],"type":{"type":"string","logicalType":"uuid"}},{"name":"day","type":{"type":"int)"
    R"(","logicalType":"date"}},{"name":"ts_ms","type":{"type":"long","logicalType":"timestamp-)"
    R"(millis"}},{"name":"extra","type":"string","default":"none"},{"name":"maybe","type":["nul)"
    R"(l","int"],"default":null},{"name":"shade","type":"Color","default":"BLUE"}]})";

const char* kListSchema = R"({"type":"record","name":"Node","fields":[
    {"name":"value","type":["null","int","long","string","Node"]},
    {"name":"next","type":["null","Node"]}]})";

// Types that may encode to zero bytes, where only the item budget bounds counts.
const char* kZeroSizeSchema = R"({"type":"record","name":"Z","fields":[
    {"name":"nulls","type":{"type":"array","items":"null"}},
    {"name":"empties","type":{"type":"map","values":{"type":"record","name":"E","fields":[]}}},
    {"name":"zero","type":{"type":"array","items":{"type":"fixed","name":"F0","size":0}}},
    {"name":"nested","type":{"type":"array","items":{"type":"array","items":"null"}}}]})";

const char* kNestedSchema = R"({"type":"map","values":{"type":"array","items":
    ["null","boolean","double",{"type":"enum","name":"E","symbols":["A","B","C"]},
     {"type":"fixed","name":"F","size":3},{"type":"map","values":"bytes"}]}})";

struct Schemas {
  avro::Schema order = avro::Schema::parse(kOrderSchema);
  avro::Schema others[4] = {avro::Schema::parse(kRichSchema), avro::Schema::parse(kListSchema),
                            avro::Schema::parse(kZeroSizeSchema),
                            avro::Schema::parse(kNestedSchema)};
};

// {drop: <schema>, keep: long} read as {keep: long}: the skipper walks all of `drop`.
struct Dropping {
  explicit Dropping(const char* dropped)
      : writer(avro::Schema::parse(
            std::string(R"({"type":"record","name":"W","fields":[{"name":"drop","type":)") +
            dropped + R"(},{"name":"keep","type":"long"}]})")),
        resolution(writer, avro::Schema::parse(R"({"type":"record","name":"W","fields":[
            {"name":"keep","type":"long"}]})")) {}
  avro::Schema writer;
  avro::SchemaResolution resolution;
};

const std::vector<Dropping>& droppings() {
  static const std::vector<Dropping> d = [] {
    std::vector<Dropping> v;
    for (const char* s : {kOrderSchema, kRichSchema, kListSchema, kZeroSizeSchema, kNestedSchema}) {
      v.emplace_back(s);
    }
    return v;
  }();
  return d;
}

const avro::SchemaResolution& rich_resolution() {
  static const avro::SchemaResolution r(avro::Schema::parse(kRichSchema),
                                        avro::Schema::parse(kRichReaderSchema));
  return r;
}

const Schemas& schemas() {
  static const Schemas s;
  return s;
}

void check(bool ok) {
  if (!ok) std::abort();
}

// A smaller zero-size budget than the default keeps executions fast; the limit itself is
// unit-tested.
avro::DecodeOptions fuzz_options() {
  avro::DecodeOptions o;
  o.max_zero_size_items = 4096;
  return o;
}

// Decode -> encode -> decode must be stable and canonical.
void round_trip(const avro::Schema& schema, std::string_view input) {
  avro::Datum value;
  if (avro::decode(schema, input, value, fuzz_options())) return;
  std::string again;
  check(!avro::encode(schema, value, again));
  check(again.size() <= input.size());
  avro::Datum value2;
  check(!avro::decode(schema, again, value2));
  check(avro::same_bits(value, value2));
  std::string third;
  check(!avro::encode(schema, value2, third));
  check(third == again);
  (void)avro::datum_to_json(schema.root(), value).dump();  // must not throw
}

void order_paths(std::string_view input) {
  orders::Order order;
  const bool fast_ok = !orders::decode_order(input, order);
  avro::Datum generic;
  const bool generic_ok = !avro::decode(schemas().order, input, generic);
  check(fast_ok == generic_ok);
  if (!fast_ok) return;
  const avro::Datum from_fast = avro::Record{{order.order_id, order.product, order.price}};
  check(avro::same_bits(from_fast, generic));
  const std::string again = orders::encode_order(order);
  check(again.size() <= input.size());
  if (again.size() == input.size()) check(again == input);
  std::string generic_bytes;
  check(!avro::encode(schemas().order, generic, generic_bytes));
  check(generic_bytes == again);
}

// Every rich datum resolves into the reader schema (all branches and symbols have a reader
// counterpart), so the resolving decoder accepts exactly what the plain decoder accepts, and
// its result is a valid reader datum.
void resolution_path(std::string_view input) {
  const auto& resolution = rich_resolution();
  avro::Datum plain, resolved;
  const bool plain_ok = !avro::decode(resolution.writer(), input, plain, fuzz_options());
  const bool resolved_ok = !resolution.decode(input, resolved, fuzz_options());
  check(plain_ok == resolved_ok);
  if (!resolved_ok) return;
  std::string bytes;
  check(!avro::encode(resolution.reader(), resolved, bytes));
}

void skip_path(std::string_view input) {
  if (input.empty()) return;
  const Dropping& d = droppings()[static_cast<unsigned char>(input[0]) % droppings().size()];
  input.remove_prefix(1);
  avro::DecodeOptions item_by_item = fuzz_options();
  item_by_item.skip_sized_blocks = false;
  avro::Datum plain, skipped, whole;
  const auto plain_err = avro::decode(d.writer, input, plain, item_by_item);
  const auto skip_err = d.resolution.decode(input, skipped, item_by_item);
  check(plain_err.has_value() == skip_err.has_value());
  if (plain_err) {
    check(plain_err->offset == skip_err->offset && plain_err->reason == skip_err->reason);
    return;
  }
  check(avro::same_bits(skipped, avro::Record{{plain.as<avro::Record>().fields[1]}}));
  check(!d.resolution.decode(input, whole, fuzz_options()));
  check(avro::same_bits(whole, skipped));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const unsigned selector = data[0] % 7;
  if (selector == 0) {
    order_paths(input);
  } else if (selector == 5) {
    resolution_path(input);
  } else if (selector == 6) {
    skip_path(input);
  } else {
    round_trip(schemas().others[selector - 1], input);
  }
  return 0;
}
