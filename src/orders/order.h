#pragma once
// The Order record: the original system's schema (schemas/order.avsc), field for field.
#include <string>

namespace orders {

struct Order {
  std::string order_id;  // Avro field "orderId"
  std::string product;   // Avro field "product"
  float price = 0.0f;    // Avro field "price" (32-bit IEEE float, as the original wrote it)

  bool operator==(const Order&) const = default;
};

}  // namespace orders
