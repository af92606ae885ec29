// Order fast path (orders::encode_order / decode_order): the per-message cost of the producer
// and consumer. Buffers and the decoded Order are reused, as the hot paths reuse them.
#include <benchmark/benchmark.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "avro/codec.h"
#include "avro/framing.h"
#include "orders/order_codec.h"
#include "orders/order_reader.h"
#include "orders/order_schema.h"
#include "sample_orders.h"

namespace {

// The producer's encode; with a schema id (--schema-registry), the 5-byte Confluent header first.
void encode_orders(benchmark::State& state, std::optional<std::uint32_t> schema_id) {
  const auto& samples = bench::sample_orders();
  std::string out;
  out.reserve(128);
  std::size_t i = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    out.clear();
    if (schema_id) avro::append_confluent_header(*schema_id, out);
    orders::encode_order(samples[i], out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
    bytes += static_cast<std::int64_t>(out.size());
    i = (i + 1) & (bench::kSampleCount - 1);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}

void BM_OrderEncode(benchmark::State& state) {
  encode_orders(state, std::nullopt);
}
BENCHMARK(BM_OrderEncode);

void BM_OrderEncodeConfluent(benchmark::State& state) {
  encode_orders(state, 1);
}
BENCHMARK(BM_OrderEncodeConfluent);

void BM_OrderDecode(benchmark::State& state) {
  std::array<std::string, bench::kSampleCount> encoded;
  for (std::size_t k = 0; k < bench::kSampleCount; ++k) {
    encoded[k] = orders::encode_order(bench::sample_orders()[k]);
  }
  orders::Order order;
  if (orders::decode_order(encoded[0], order) || !(order == bench::sample_orders()[0])) {
    state.SkipWithError("decode_order does not round-trip the sample");
    return;
  }
  std::size_t i = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    auto err = orders::decode_order(encoded[i], order);
    benchmark::DoNotOptimize(err);
    benchmark::DoNotOptimize(order.price);
    bytes += static_cast<std::int64_t>(encoded[i].size());
    i = (i + 1) & (bench::kSampleCount - 1);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_OrderDecode);

// The consumer's read through orders::OrderReader, whose cache holds the writer schema after the
// first record: what a value costs with --schema-registry (framed) and without (raw).
class OneSchema : public orders::SchemaSource {
 public:
  orders::SchemaLookup by_id(std::uint32_t) override {
    return orders::SchemaFound{std::string(orders::kOrderSchemaJson)};
  }
};

void read_orders(benchmark::State& state, bool framed) {
  std::array<std::string, bench::kSampleCount> values;
  for (std::size_t k = 0; k < bench::kSampleCount; ++k) {
    if (framed) avro::append_confluent_header(7, values[k]);
    orders::encode_order(bench::sample_orders()[k], values[k]);
  }
  OneSchema source;
  orders::OrderReader reader(framed ? &source : nullptr);
  orders::Order order;
  if (reader.read(values[0], order).kind != orders::ReadResult::Kind::read ||
      !(order == bench::sample_orders()[0])) {
    state.SkipWithError("OrderReader does not round-trip the sample");
    return;
  }
  std::size_t i = 0;
  for (auto _ : state) {
    auto result = reader.read(values[i], order);
    benchmark::DoNotOptimize(result.kind);
    benchmark::DoNotOptimize(order.price);
    i = (i + 1) & (bench::kSampleCount - 1);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["schema_lookups"] = static_cast<double>(reader.lookups());
}

void BM_OrderReadRaw(benchmark::State& state) {
  read_orders(state, false);
}
BENCHMARK(BM_OrderReadRaw);

void BM_OrderReadConfluent(benchmark::State& state) {
  read_orders(state, true);
}
BENCHMARK(BM_OrderReadConfluent);

// An evolved writer: Order plus fields the reader does not know (a note, order lines, labels),
// read through schema resolution, which skips them.
constexpr std::string_view kEvolvedOrderSchema =
    R"({"type":"record","name":"Order","fields":[{"name":"orderId","type":"string"},)"
    R"({"name":"note","type":"string"},{"name":"product","type":"string"},)"
    R"({"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line",)"
    R"("fields":[{"name":"sku","type":"string"},{"name":"qty","type":"int"}]}}},)"
    R"({"name":"labels","type":{"type":"map","values":"string"}},{"name":"price","type":"float"}]})";

class EvolvedSchema : public orders::SchemaSource {
 public:
  orders::SchemaLookup by_id(std::uint32_t) override {
    return orders::SchemaFound{std::string(kEvolvedOrderSchema)};
  }
};

avro::Datum evolved_datum(const orders::Order& o) {
  avro::Array lines;
  for (std::int32_t k = 0; k < 3; ++k) {
    lines.items.emplace_back(avro::Record{{std::string("SKU-") + std::to_string(k), 1 + k}});
  }
  avro::Map labels{{{"channel", std::string("web")}, {"region", std::string("eu-west")}}};
  return avro::Record{{o.order_id, std::string("leave at the front desk, please"), o.product,
                       std::move(lines), std::move(labels), o.price}};
}

void BM_OrderReadEvolved(benchmark::State& state) {
  const auto writer = avro::Schema::parse(kEvolvedOrderSchema);
  std::array<std::string, bench::kSampleCount> values;
  for (std::size_t k = 0; k < bench::kSampleCount; ++k) {
    avro::append_confluent_header(9, values[k]);
    if (avro::encode(writer, evolved_datum(bench::sample_orders()[k]), values[k])) {
      return state.SkipWithError("the evolved sample does not encode");
    }
  }
  EvolvedSchema source;
  orders::OrderReader reader(&source);
  orders::Order order;
  if (reader.read(values[0], order).kind != orders::ReadResult::Kind::read ||
      !(order == bench::sample_orders()[0])) {
    return state.SkipWithError("OrderReader does not read the evolved sample");
  }
  std::size_t i = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    auto result = reader.read(values[i], order);
    benchmark::DoNotOptimize(result.kind);
    benchmark::DoNotOptimize(order.price);
    bytes += static_cast<std::int64_t>(values[i].size());
    i = (i + 1) & (bench::kSampleCount - 1);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_OrderReadEvolved);

}  // namespace
