// The same Order records through Apache avro-c (bench/avro_c): the reference point for our
// codec. On decode the strings are copied into an orders::Order, as decode_order does.
#include <benchmark/benchmark.h>

#include <array>
#include <string>

#include "avro_c/order_avro_c.h"
#include "orders/order_codec.h"
#include "sample_orders.h"

namespace {

void BM_AvroC_OrderEncode(benchmark::State& state) {
  avro_c_ref::OrderCodec avro;
  const auto& samples = bench::sample_orders();
  if (!avro.error().empty()) return state.SkipWithError(avro.error().c_str());
  const orders::Order& probe = samples[1];
  if (avro.encode(probe.order_id, probe.product, probe.price) < 0 ||
      avro.written() != orders::encode_order(probe)) {
    return state.SkipWithError("avro-c and encode_order disagree on the sample bytes");
  }
  std::size_t i = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    const orders::Order& o = samples[i];
    std::int64_t n = avro.encode(o.order_id, o.product, o.price);
    benchmark::DoNotOptimize(n);
    bytes += n;
    i = (i + 1) & (bench::kSampleCount - 1);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_AvroC_OrderEncode);

void BM_AvroC_OrderDecode(benchmark::State& state) {
  avro_c_ref::OrderCodec avro;
  if (!avro.error().empty()) return state.SkipWithError(avro.error().c_str());
  std::array<std::string, bench::kSampleCount> encoded;
  for (std::size_t k = 0; k < bench::kSampleCount; ++k) {
    encoded[k] = orders::encode_order(bench::sample_orders()[k]);
  }
  orders::Order order;
  if (!avro.decode(encoded[2], order.order_id, order.product, order.price) ||
      !(order == bench::sample_orders()[2])) {
    return state.SkipWithError("avro-c does not decode the sample to the same Order");
  }
  std::size_t i = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    bool ok = avro.decode(encoded[i], order.order_id, order.product, order.price);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(order.price);
    bytes += static_cast<std::int64_t>(encoded[i].size());
    i = (i + 1) & (bench::kSampleCount - 1);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_AvroC_OrderDecode);

}  // namespace
