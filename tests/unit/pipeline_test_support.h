#pragma once
// Shared by the decision-core tests: a readable record format ("id|product|price") and a
// processor whose failures are scripted per orderId.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "avro/error.h"
#include "orders/order.h"
#include "pipeline/partition_pipeline.h"
#include "pipeline/processor.h"
#include "pipeline/source_record.h"

namespace pipeline_test {

inline std::optional<avro::DecodeError> text_decode(std::string_view bytes, orders::Order& out) {
  auto a = bytes.find('|');
  auto b = a == std::string_view::npos ? a : bytes.find('|', a + 1);
  if (b == std::string_view::npos) return avro::DecodeError{0, "no separators"};
  out.order_id = std::string(bytes.substr(0, a));
  out.product = std::string(bytes.substr(a + 1, b - a - 1));
  out.price = std::strtof(std::string(bytes.substr(b + 1)).c_str(), nullptr);
  return std::nullopt;
}

// Fails each orderId transiently the scripted number of times; "PERM" ids fail permanently.
class ScriptedProcessor : public pipeline::ImmediateProcessor {
 public:
  std::map<std::string, int> transient_failures;
  std::vector<std::pair<std::string, int>> calls;  // (orderId, attempt) of every call
  std::vector<std::string> processed;              // orderIds, in the order they succeeded
  pipeline::ProcessResult decide(const pipeline::ProcessRequest& r) override {
    const auto& o = r.order;
    const int attempt = r.attempt;
    calls.emplace_back(o.order_id, attempt);
    if (o.order_id.rfind("PERM", 0) == 0) {
      return pipeline::ProcessResult::permanent("no such customer");
    }
    auto it = transient_failures.find(o.order_id);
    if (it != transient_failures.end() && attempt <= it->second) {
      return pipeline::ProcessResult::transient("db timeout");
    }
    processed.push_back(o.order_id);
    return pipeline::ProcessResult::success();
  }
};

// Pipeline settings over the text format: 5 attempts, retries 1 s then doubling up to 10 s, no
// jitter (the retry times are exact on the fake clock).
inline pipeline::PipelineSettings text_settings() {
  pipeline::PipelineSettings s;
  s.retry = pipeline::RetryPolicy{5, std::chrono::seconds(1), 2.0, std::chrono::seconds(10), 0.0};
  s.decode = text_decode;
  return s;
}

// A record of topic "orders" at `offset`, keyed by `id`, a valid order in the text format.
inline pipeline::SourceRecord text_record(std::int64_t offset, const std::string& id) {
  pipeline::SourceRecord r;
  r.topic = "orders";
  r.offset = offset;
  r.key = id;
  r.value = id + "|Laptop|10";
  return r;
}

}  // namespace pipeline_test
