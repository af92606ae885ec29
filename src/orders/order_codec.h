#pragma once
// Fast path for the Order schema: plain (schemaless) Avro binary, byte-identical to
// fastavro.schemaless_writer with schemas/order.avsc.
#include <optional>
#include <string>
#include <string_view>

#include "avro/error.h"
#include "orders/order.h"

namespace orders {

// Appends the Avro binary encoding of `order` to `out`.
void encode_order(const Order& order, std::string& out);
std::string encode_order(const Order& order);

// Decodes exactly one Order from `bytes`. Trailing bytes, truncation, negative or oversized
// lengths and invalid UTF-8 are errors. On error `out` is unspecified.
std::optional<avro::DecodeError> decode_order(std::string_view bytes, Order& out);

}  // namespace orders
