#include "dlq/dlq_record.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "orders/order_codec.h"
#include "pipeline/classify.h"
#include "stats/aggregate.h"

namespace dlq {

std::optional<pipeline::ErrorClass> DlqRecord::error_class() const {
  if (!info) return std::nullopt;
  return info->error_class;
}

std::string DlqRecord::class_name() const {
  return info ? std::string(pipeline::to_string(info->error_class)) : "unknown";
}

std::int64_t DlqRecord::failed_at_ms() const {
  return info ? info->failed_at_ms : raw.timestamp_ms;
}

std::string DlqRecord::framing_text() const {
  switch (framing) {
    case avro::Framing::confluent:
      return fmt::format("confluent id={}", schema_id);
    case avro::Framing::single_object:
      return fmt::format("single-object fp={:016x}", fingerprint);
    case avro::Framing::raw:
      break;
  }
  return "raw";
}

namespace {

void decode_value(DlqRecord& r, std::string_view value, orders::OrderReader* reader) {
  const auto f = avro::detect_framing(value);
  r.framing = f.framing;
  r.schema_id = f.schema_id;
  r.fingerprint = f.fingerprint;
  orders::Order order;
  if (reader) {
    auto result = reader->read(value, order);
    if (result.kind == orders::ReadResult::Kind::read) {
      r.order = std::move(order);
    } else {
      r.decode_error = std::move(result.reason);
    }
    return;
  }
  // Without a registry, a framed value is shown if the Order schema itself can read it.
  if (auto err = orders::decode_order(f.payload, order)) {
    r.decode_error = err->message();
    if (f.framing != avro::Framing::raw) r.decode_error += " (no --schema-registry to resolve it)";
  } else {
    r.order = std::move(order);
  }
}

}  // namespace

DlqRecord to_dlq_record(pipeline::SourceRecord raw, orders::OrderReader* reader) {
  DlqRecord r;
  auto parsed = pipeline::parse_dead_letter_headers(raw.headers);
  if (parsed.info) {
    r.info = std::move(parsed.info);
  } else {
    r.header_error = std::move(parsed.error);
  }
  if (r.info && r.info->value_omitted) {
    // Too large to copy into the DLQ (pipeline/dead_letter.h): the original is in its topic.
    r.decode_error =
        "value omitted (" + std::to_string(r.info->original_value_size) +
        " bytes, too large for the DLQ" +
        (r.info->key_omitted
             ? "; key omitted too, " + std::to_string(r.info->original_key_size) + " bytes"
             : std::string()) +
        "); the original is at " + r.info->original_topic + "[" +
        std::to_string(r.info->original_partition) + "]@" + std::to_string(r.info->original_offset);
  } else if (!raw.value) {
    r.decode_error = "null value";
  } else {
    decode_value(r, *raw.value, reader);
  }
  for (const auto& [k, v] : raw.headers) {
    if (k != kReplayCountHeader) continue;
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    const bool ok = ec == std::errc() && p == v.data() + v.size() && !v.empty() && n >= 0;
    r.replay_count = ok ? n : 0;
    r.replay_count_error =
        ok ? "" : "bad value for dlq.replay.count: '" + pipeline::quoted_value(v) + "'";
  }
  r.raw = std::move(raw);
  return r;
}

std::optional<std::int64_t> order_value_cents(const orders::Order& order) {
  const double price = order.price;
  if (!std::isfinite(price) || price <= 0 || price > pipeline::ValidationLimits{}.max_price) {
    return std::nullopt;
  }
  return stats::price_to_cents(order.price);
}

}  // namespace dlq
