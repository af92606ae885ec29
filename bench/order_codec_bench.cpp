// Order fast path (orders::encode_order / decode_order): the per-message cost of the producer
// and consumer. Buffers and the decoded Order are reused, as the hot paths reuse them.
#include <benchmark/benchmark.h>

#include <array>
#include <string>

#include "orders/order_codec.h"
#include "sample_orders.h"

namespace {

void BM_OrderEncode(benchmark::State& state) {
  const auto& samples = bench::sample_orders();
  std::string out;
  out.reserve(128);
  std::size_t i = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    out.clear();
    orders::encode_order(samples[i], out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
    bytes += static_cast<std::int64_t>(out.size());
    i = (i + 1) & (bench::kSampleCount - 1);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_OrderEncode);

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

}  // namespace
