#pragma once
// First look at a record: decode the value, then validate the order. Anything that fails here
// is dead-lettered at once and never retried: retrying cannot fix the bytes.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "avro/error.h"
#include "orders/order.h"
#include "orders/order_reader.h"
#include "pipeline/outcome.h"

namespace pipeline {

struct ValidationLimits {
  std::size_t max_order_id_bytes = 256;
  std::size_t max_product_bytes = 1024;
  double max_price = 1e9;  // keeps revenue in cents far from int64 overflow
};

// Why the order is unacceptable, or nullopt when it is fine.
std::optional<std::string> validate_order(const orders::Order& order,
                                          const ValidationLimits& limits = {});

// Injectable so the core can be tested with any byte format; production uses decode_order.
using DecodeFn = std::optional<avro::DecodeError> (*)(std::string_view, orders::Order&);

// The decoded, valid order, or the dead letter (deserialization / validation, attempts 0).
std::variant<orders::Order, DeadLetter> classify(const std::optional<std::string>& value,
                                                 DecodeFn decode,
                                                 const ValidationLimits& limits = {});

// The framing-aware decoder (orders::OrderReader behind it in production): it may also answer
// "not now" when the schema registry cannot be asked.
using ValueDecoder = std::function<orders::ReadResult(std::string_view, orders::Order&)>;

// The decoder could not decide yet (registry down or slow): the record waits and is tried
// again later; it is never dead-lettered for that.
struct DecodeLater {
  std::string reason;
};

std::variant<orders::Order, DeadLetter, DecodeLater> classify(
    const std::optional<std::string>& value, const ValueDecoder& decode,
    const ValidationLimits& limits = {});

}  // namespace pipeline
