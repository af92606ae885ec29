#pragma once
// Dead-letter record headers. The DLQ record keeps the original key and value bytes unchanged
// (so it can be replayed) and the original headers, followed by these UTF-8 text headers:
//   dlq.original.topic, dlq.original.partition, dlq.original.offset,
//   dlq.original.timestamp (ms since epoch, -1 if the record had none),
//   dlq.error.class (deserialization | validation | processing), dlq.error.message,
//   dlq.attempts (processing attempts made; 0 when rejected before processing),
//   dlq.failed.at (ms since epoch), dlq.consumer.group, dlq.host
// A record dead-lettered twice (replayed, failed again) carries two sets; the last one wins.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/outcome.h"
#include "pipeline/source_record.h"

namespace pipeline {

namespace dlq_header {
inline constexpr const char* kOriginalTopic = "dlq.original.topic";
inline constexpr const char* kOriginalPartition = "dlq.original.partition";
inline constexpr const char* kOriginalOffset = "dlq.original.offset";
inline constexpr const char* kOriginalTimestamp = "dlq.original.timestamp";
inline constexpr const char* kErrorClass = "dlq.error.class";
inline constexpr const char* kErrorMessage = "dlq.error.message";
inline constexpr const char* kAttempts = "dlq.attempts";
inline constexpr const char* kFailedAt = "dlq.failed.at";
inline constexpr const char* kConsumerGroup = "dlq.consumer.group";
inline constexpr const char* kHost = "dlq.host";
}  // namespace dlq_header

struct DeadLetterContext {
  std::string consumer_group;
  std::string host;
  std::int64_t failed_at_ms = 0;
};

// Original headers first, then the dlq.* headers in the order listed above.
Headers dead_letter_headers(const SourceRecord& record, const DeadLetter& dead_letter,
                            const DeadLetterContext& context);

struct DeadLetterInfo {
  std::string original_topic;
  std::int32_t original_partition = 0;
  std::int64_t original_offset = 0;
  std::int64_t original_timestamp_ms = -1;
  ErrorClass error_class = ErrorClass::processing;
  std::string error_message;
  int attempts = 0;
  std::int64_t failed_at_ms = 0;
  std::string consumer_group;
  std::string host;
  Headers original_headers;  // everything except the (last) dlq.* set, in order

  bool operator==(const DeadLetterInfo&) const = default;
};

struct ParsedDeadLetter {
  std::optional<DeadLetterInfo> info;
  // Why parsing failed: a missing header, an unknown class, a number that is malformed, beyond
  // its type, or negative where it cannot be (partition, offset, attempts).
  std::string error;
};

ParsedDeadLetter parse_dead_letter_headers(const Headers& headers);

// A header value as quoted in an error message: its first 64 bytes (cut on a character boundary),
// then "..." if there was more. Header values are untrusted and may be huge.
std::string quoted_value(std::string_view value);

}  // namespace pipeline
