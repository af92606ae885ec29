#pragma once
// One record read from the dead-letter topic, with what could be made of it: the dlq.* context
// (absent if the headers are missing or malformed) and the Order (absent if the value is not one).
#include <cstdint>
#include <optional>
#include <string>

#include "avro/framing.h"
#include "orders/order.h"
#include "orders/order_reader.h"
#include "pipeline/dead_letter.h"
#include "pipeline/error_class.h"
#include "pipeline/source_record.h"

namespace dlq {

// Replay markers added by `orders dlq replay` (see replay_plan.h).
inline constexpr const char* kReplayCountHeader = "dlq.replay.count";
inline constexpr const char* kReplayedAtHeader = "dlq.replayed.at";

struct DlqRecord {
  pipeline::SourceRecord raw;  // topic/partition/offset/timestamp are the DLQ's own
  std::optional<pipeline::DeadLetterInfo> info;
  std::string header_error;  // why `info` is absent
  std::optional<orders::Order> order;
  std::string decode_error;  // why `order` is absent
  // The last dlq.replay.count header; 0 if none or unreadable (then replay_count_error says why:
  // not a number >= 0, or beyond int64).
  std::int64_t replay_count = 0;
  std::string replay_count_error;
  avro::Framing framing = avro::Framing::raw;  // how the value says which schema wrote it
  std::uint32_t schema_id = 0;                 // framing confluent
  std::uint64_t fingerprint = 0;               // framing single_object

  // "raw", "confluent id=N", "single-object fp=0123456789abcdef".
  std::string framing_text() const;

  std::optional<pipeline::ErrorClass> error_class() const;
  // "deserialization" | "validation" | "processing" | "unknown" (no readable dlq.* headers).
  std::string class_name() const;
  // dlq.failed.at, or the DLQ record's own timestamp when the headers are unreadable.
  std::int64_t failed_at_ms() const;
};

// `reader` (with the schema registry behind it) reads framed values with their writer schema;
// without it only what the Order schema itself wrote can be shown.
DlqRecord to_dlq_record(pipeline::SourceRecord raw, orders::OrderReader* reader = nullptr);

// The value of a failed order in cents, counted only when the price could be real money: finite,
// > 0 and within the consumer's validation limit (otherwise nullopt).
std::optional<std::int64_t> order_value_cents(const orders::Order& order);

}  // namespace dlq
