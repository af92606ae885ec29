#pragma once
// The Order schema (schemas/order.avsc) as the binary knows it: what the producer registers and
// what the consumer reads every writer schema as. A unit test keeps it equal to the file.
#include <string_view>

namespace orders {

inline constexpr std::string_view kOrderSchemaJson =
    R"({"type":"record","name":"Order","fields":[{"name":"orderId","type":"string"},)"
    R"({"name":"product","type":"string"},{"name":"price","type":"float"}]})";

}  // namespace orders
