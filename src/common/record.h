#pragma once
// A consumed Kafka record as plain data. Neutral ground: kafka/ produces it from a librdkafka
// message, pipeline/ decides on it, and neither includes the other.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace common {

// Kafka headers in order. A null header value is carried as an empty string.
using Headers = std::vector<std::pair<std::string, std::string>>;

struct Record {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = -1;  // -1: the record carries no timestamp
  std::optional<std::string> key;
  std::optional<std::string> value;  // absent for a tombstone (null value)
  Headers headers;
};

}  // namespace common
