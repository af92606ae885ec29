#include "orders/catalogue.h"

#include <array>

namespace orders {
namespace {

constexpr std::uint32_t usd(std::uint32_t dollars) {
  return dollars * 100;
}

constexpr std::array kProducts{
    Product{"Laptop", usd(499), usd(2499)},        Product{"Mouse", usd(9), usd(79)},
    Product{"Keyboard", usd(19), usd(199)},        Product{"Monitor", usd(129), usd(899)},
    Product{"Tablet", usd(199), usd(1199)},        Product{"Smartphone", usd(199), usd(1399)},
    Product{"Headphones", usd(19), usd(399)},      Product{"Camera", usd(299), usd(2499)},
    Product{"Printer", usd(79), usd(499)},         Product{"Webcam", usd(29), usd(199)},
    Product{"USB-C Hub", usd(19), usd(99)},        Product{"External SSD", usd(49), usd(399)},
    Product{"Smartwatch", usd(99), usd(799)},      Product{"Bluetooth Speaker", usd(29), usd(499)},
    Product{"Wi-Fi Router", usd(39), usd(399)},    Product{"Microphone", usd(39), usd(299)},
    Product{"Graphics Card", usd(249), usd(1999)}, Product{"Desk Lamp", usd(15), usd(89)},
    Product{"Office Chair", usd(89), usd(699)},    Product{"Game Console", usd(299), usd(599)},
    Product{"E-Reader", usd(89), usd(279)},        Product{"Power Bank", usd(15), usd(99)},
};

}  // namespace

std::span<const Product> catalogue() {
  return kProducts;
}

}  // namespace orders
