#pragma once
// The wall clock in the units Kafka uses (record timestamps, header times): since the epoch.
#include <cstdint>

namespace util {

std::int64_t wall_ms();
std::int64_t wall_us();

}  // namespace util
