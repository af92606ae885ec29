#pragma once
// A pipeline::ProcessRequest (a view) with the storage it refers to, for tests.
#include <cstdint>
#include <optional>
#include <string>

#include "orders/order.h"
#include "pipeline/processor.h"

struct OwnedRequest {
  std::uint64_t id = 0;
  orders::Order order;
  std::string topic = "orders";
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string> key;
  int attempt = 1;
  std::optional<std::string> traceparent;

  pipeline::ProcessRequest view() const {
    pipeline::ProcessRequest r{.id = id,
                               .order = order,
                               .topic = topic,
                               .partition = partition,
                               .offset = offset,
                               .key = std::nullopt,
                               .attempt = attempt,
                               .traceparent = std::nullopt};
    if (key) r.key = *key;
    if (traceparent) r.traceparent = *traceparent;
    return r;
  }
};
