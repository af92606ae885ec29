#pragma once
// A consumed Kafka record as plain data, so the decision core never touches librdkafka.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pipeline {

// Kafka headers in order. A null header value is carried as an empty string.
using Headers = std::vector<std::pair<std::string, std::string>>;

struct SourceRecord {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = -1;  // -1: the record carries no timestamp
  std::optional<std::string> key;
  std::optional<std::string> value;  // absent for a tombstone (null value)
  Headers headers;
};

}  // namespace pipeline
