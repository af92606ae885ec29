#include "pipeline/classify.h"

#include <fmt/format.h>

#include <cmath>

namespace pipeline {

std::optional<std::string> validate_order(const orders::Order& order,
                                          const ValidationLimits& limits) {
  if (order.order_id.empty()) return "orderId is empty";
  if (order.order_id.size() > limits.max_order_id_bytes) {
    return fmt::format("orderId too long ({} bytes > {})", order.order_id.size(),
                       limits.max_order_id_bytes);
  }
  if (order.product.empty()) return "product is empty";
  if (order.product.size() > limits.max_product_bytes) {
    return fmt::format("product too long ({} bytes > {})", order.product.size(),
                       limits.max_product_bytes);
  }
  const double price = order.price;
  if (!std::isfinite(price)) return fmt::format("price is not finite ({})", price);
  if (price <= 0) return fmt::format("price must be > 0 (got {})", price);
  if (price > limits.max_price) {
    return fmt::format("price too large ({} > {})", price, limits.max_price);
  }
  return std::nullopt;
}

std::variant<orders::Order, DeadLetter> classify(const std::optional<std::string>& value,
                                                 DecodeFn decode, const ValidationLimits& limits) {
  if (!value) return DeadLetter{ErrorClass::deserialization, "null value (tombstone)", 0};
  orders::Order order;
  if (auto err = decode(*value, order)) {
    return DeadLetter{ErrorClass::deserialization, "invalid Avro Order: " + err->message(), 0};
  }
  if (auto why = validate_order(order, limits)) {
    return DeadLetter{ErrorClass::validation, "invalid order: " + *why, 0};
  }
  return order;
}

std::variant<orders::Order, DeadLetter, DecodeLater> classify(
    const std::optional<std::string>& value, const ValueDecoder& decode,
    const ValidationLimits& limits) {
  if (!value) return DeadLetter{ErrorClass::deserialization, "null value (tombstone)", 0};
  orders::Order order;
  auto result = decode(*value, order);
  switch (result.kind) {
    case orders::ReadResult::Kind::later:
      return DecodeLater{std::move(result.reason)};
    case orders::ReadResult::Kind::failed:
      return DeadLetter{ErrorClass::deserialization, std::move(result.reason), 0};
    case orders::ReadResult::Kind::read:
      break;
  }
  if (auto why = validate_order(order, limits)) {
    return DeadLetter{ErrorClass::validation, "invalid order: " + *why, 0};
  }
  return order;
}

}  // namespace pipeline
