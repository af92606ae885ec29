#pragma once
// The request --process sends for one attempt (see docs/processing.md):
//   POST <url>
//   Content-Type: application/json
//   Idempotency-Key: <topic>/<partition>/<offset>   (the same on every attempt of the record)
//   Orders-Key: <record key>                          (absent when the record has no key)
//   Orders-Topic, Orders-Partition, Orders-Offset: where the record is
//   Orders-Attempt: 1, 2, ... (counts from 1)
//   traceparent: the record's W3C traceparent header, when it has one
//   {"orderId":"...","product":"...","price":19.99}
// Header values come from whoever writes to the topic, so each is made header-safe
// (header_safe): '%', every control byte (CR, LF, NUL, ...), DEL and every byte >= 0x80 are
// percent-encoded (%0D, %25, %C3%A9...); a decoder that percent-decodes gets the exact bytes back.
// The body is JSON: strings escaped as JSON requires, invalid UTF-8 replaced by U+FFFD; the price
// in the shortest form that reads back as the same 32-bit float (null when NaN or infinite).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orders/order.h"
#include "pipeline/processor.h"

namespace process {

// Names of the headers this client sets; the extra-headers file may not set them.
inline constexpr std::string_view kIdempotencyKeyHeader = "Idempotency-Key";
inline constexpr std::string_view kKeyHeader = "Orders-Key";
inline constexpr std::string_view kTopicHeader = "Orders-Topic";
inline constexpr std::string_view kPartitionHeader = "Orders-Partition";
inline constexpr std::string_view kOffsetHeader = "Orders-Offset";
inline constexpr std::string_view kAttemptHeader = "Orders-Attempt";
inline constexpr std::string_view kTraceparentHeader = "traceparent";

using Header = std::pair<std::string, std::string>;

std::string request_body(const orders::Order& order);

// Content-Type first, then the headers above in that order (values header-safe).
std::vector<Header> request_headers(const pipeline::ProcessRequest& request);

std::string header_safe(std::string_view value);

// Whether the extra-headers file may not set `name` (case-insensitive): Content-Type,
// Content-Length, Host, Transfer-Encoding, Idempotency-Key, traceparent and every Orders-* name.
bool reserved_header(std::string_view name);

}  // namespace process
