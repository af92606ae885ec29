#pragma once
// The records every codec micro-benchmark encodes and decodes: a few realistic orders (ids and
// products like the producer's), cycled so one fixed input does not flatter branch prediction.
#include <array>
#include <cstddef>
#include <string>

#include "orders/order.h"

namespace bench {

inline constexpr std::size_t kSampleCount = 8;  // a power of two: the index wraps with a mask

inline const std::array<orders::Order, kSampleCount>& sample_orders() {
  static const std::array<orders::Order, kSampleCount> orders = {{
      {"ORD-00001", "Laptop", 1299.99f},
      {"ORD-00002", "Wireless Mouse", 24.5f},
      {"ORD-00003", "Mechanical Keyboard", 89.0f},
      {"ORD-00004", "USB-C Hub", 39.99f},
      {"ORD-00005", "Monitor 27in", 249.0f},
      {"ORD-00006", "Headphones", 79.95f},
      {"ORD-00007", "Webcam", 59.9f},
      {"ORD-00008", "Desk Lamp", 19.99f},
  }};
  return orders;
}

}  // namespace bench
