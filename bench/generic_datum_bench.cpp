// The generic Avro codec (avro::encode / avro::decode on a parsed schema) with the same Order
// records: what any schema costs compared with the Order fast path and avro-c.
#include <benchmark/benchmark.h>

#include <array>
#include <string>

#include "avro/codec.h"
#include "avro/datum.h"
#include "avro/schema.h"
#include "orders/order_codec.h"
#include "sample_orders.h"

namespace {

// schemas/order.avsc
constexpr const char* kOrderSchema =
    R"({"type":"record","name":"Order","fields":[{"name":"orderId","type":"string"},)"
    R"({"name":"product","type":"string"},{"name":"price","type":"float"}]})";

avro::Datum to_datum(const orders::Order& o) {
  avro::Record r;
  r.fields = {avro::Datum(o.order_id), avro::Datum(o.product), avro::Datum(o.price)};
  return avro::Datum(std::move(r));
}

void BM_GenericOrderEncode(benchmark::State& state) {
  const avro::Schema schema = avro::Schema::parse(kOrderSchema);
  std::array<avro::Datum, bench::kSampleCount> datums;
  for (std::size_t k = 0; k < bench::kSampleCount; ++k) {
    datums[k] = to_datum(bench::sample_orders()[k]);
  }
  std::string out;
  out.reserve(128);
  if (avro::encode(schema, datums[3], out) ||
      out != orders::encode_order(bench::sample_orders()[3])) {
    return state.SkipWithError("generic encode and encode_order disagree on the sample bytes");
  }
  std::size_t i = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    out.clear();
    auto err = avro::encode(schema, datums[i], out);
    benchmark::DoNotOptimize(err);
    benchmark::DoNotOptimize(out.data());
    bytes += static_cast<std::int64_t>(out.size());
    i = (i + 1) & (bench::kSampleCount - 1);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_GenericOrderEncode);

void BM_GenericOrderDecode(benchmark::State& state) {
  const avro::Schema schema = avro::Schema::parse(kOrderSchema);
  std::array<std::string, bench::kSampleCount> encoded;
  for (std::size_t k = 0; k < bench::kSampleCount; ++k) {
    encoded[k] = orders::encode_order(bench::sample_orders()[k]);
  }
  avro::Datum datum;
  if (avro::decode(schema, encoded[4], datum) || !(datum == to_datum(bench::sample_orders()[4]))) {
    return state.SkipWithError("generic decode does not give the sample record");
  }
  std::size_t i = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    auto err = avro::decode(schema, encoded[i], datum);
    benchmark::DoNotOptimize(err);
    benchmark::DoNotOptimize(datum);
    bytes += static_cast<std::int64_t>(encoded[i].size());
    i = (i + 1) & (bench::kSampleCount - 1);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_GenericOrderDecode);

}  // namespace
