#pragma once
// Dead-letter record headers. The DLQ record keeps the original key and value bytes unchanged
// (so it can be replayed) and the original headers, followed by these UTF-8 text headers:
//   dlq.original.topic, dlq.original.partition, dlq.original.offset,
//   dlq.original.timestamp (ms since epoch, -1 if the record had none),
//   dlq.error.class (deserialization | validation | processing), dlq.error.message,
//   dlq.attempts (processing attempts made; 0 when rejected before processing),
//   dlq.failed.at (ms since epoch), dlq.consumer.group, dlq.host
// A record dead-lettered twice (replayed, failed again) carries two sets; the last one wins.
// A dead letter too large for the producer's message.max.bytes (the original near the limit,
// plus these headers) is written anyway, without its value (null), followed by
//   dlq.value.omitted = "true", dlq.original.value.size (bytes)
// and, if still too large without its value, without the original headers too:
//   dlq.original.headers.omitted = "true"
// and, if the key alone is still too large, without the key (null) too:
//   dlq.key.omitted = "true", dlq.original.key.size (bytes)
// The original stays at dlq.original.topic/partition/offset (until retention removes it); replay
// refuses such a record.
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
inline constexpr const char* kValueOmitted = "dlq.value.omitted";
inline constexpr const char* kOriginalValueSize = "dlq.original.value.size";
inline constexpr const char* kHeadersOmitted = "dlq.original.headers.omitted";
inline constexpr const char* kKeyOmitted = "dlq.key.omitted";
inline constexpr const char* kOriginalKeySize = "dlq.original.key.size";
}  // namespace dlq_header

struct DeadLetterContext {
  std::string consumer_group;
  std::string host;
  std::int64_t failed_at_ms = 0;
};

// Original headers first, then the dlq.* headers in the order listed above.
Headers dead_letter_headers(const SourceRecord& record, const DeadLetter& dead_letter,
                            const DeadLetterContext& context);

// The size librdkafka holds against message.max.bytes (key, value, headers), with room for the
// record's framing on the broker.
std::size_t dead_letter_size(std::size_t key_bytes, std::size_t value_bytes,
                             const Headers& headers);

// The dead letter as written: the full copy while it fits `max_bytes`, otherwise (or when
// `omit_value`: the DLQ refused the full copy as too large) without the value, see above.
struct DeadLetterMessage {
  bool value_omitted = false;
  bool key_omitted = false;  // only ever with value_omitted
  Headers headers;
};
DeadLetterMessage dead_letter_message(const SourceRecord& record, const DeadLetter& dead_letter,
                                      const DeadLetterContext& context, std::size_t max_bytes,
                                      bool omit_value = false);

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
  Headers original_headers;               // everything except the (last) dlq.* set, in order
  bool value_omitted = false;             // dlq.value.omitted: the DLQ holds no copy of the value
  std::int64_t original_value_size = -1;  // dlq.original.value.size; -1 when absent
  bool key_omitted = false;               // dlq.key.omitted: nor of the key
  std::int64_t original_key_size = -1;    // dlq.original.key.size; -1 when absent

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
