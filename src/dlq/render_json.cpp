#include "dlq/render_json.h"

#include <fmt/format.h>

#include "dlq/printable.h"
#include "dlq/time_text.h"
#include "stats/aggregate.h"

namespace dlq {
namespace {

nlohmann::json optional_text(const std::optional<std::string>& s) {
  return s ? nlohmann::json(*s) : nlohmann::json(nullptr);
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

// JSON previews are longer than the text ones: they are for tools, not terminals.
constexpr std::size_t kJsonHexBytes = 256;

}  // namespace

nlohmann::json record_json(const DlqRecord& r, std::uint64_t n, std::int64_t now_ms) {
  nlohmann::json j;
  j["type"] = "record";
  j["n"] = n;
  j["dlq"] = {{"topic", r.raw.topic},
              {"partition", r.raw.partition},
              {"offset", r.raw.offset},
              {"timestamp_ms", r.raw.timestamp_ms}};
  j["key"] = optional_text(r.raw.key);
  if (r.order) {
    nlohmann::json order = {{"orderId", r.order->order_id},
                            {"product", r.order->product},
                            {"price", static_cast<double>(r.order->price)}};
    auto cents = order_value_cents(*r.order);
    order["price_cents"] = cents ? nlohmann::json(*cents) : nlohmann::json(nullptr);
    j["order"] = std::move(order);
  } else {
    j["order"] = nullptr;
    j["decode_error"] = r.decode_error;
  }
  if (r.raw.value) {
    j["framing"] = avro::to_string(r.framing);
    j["schema_id"] = r.framing == avro::Framing::confluent ? nlohmann::json(r.schema_id)
                                                           : nlohmann::json(nullptr);
    if (r.framing == avro::Framing::single_object) {
      j["fingerprint"] = fmt::format("{:016x}", r.fingerprint);
    }
    j["value_bytes"] = r.raw.value->size();
    if (!r.order) {
      j["value_hex"] = hex(std::string_view(*r.raw.value).substr(0, kJsonHexBytes));
      j["value_preview"] = hex_preview(*r.raw.value);
    }
  } else {
    j["value_bytes"] = nullptr;
  }
  j["error_class"] = r.class_name();
  if (r.info) {
    const auto& i = *r.info;
    j["error_message"] = i.error_message;
    j["source"] = {{"topic", i.original_topic},
                   {"partition", i.original_partition},
                   {"offset", i.original_offset},
                   {"timestamp_ms", i.original_timestamp_ms}};
    j["attempts"] = i.attempts;
    j["consumer_group"] = i.consumer_group;
    j["host"] = i.host;
  } else {
    j["error_message"] = nullptr;
    j["header_error"] = r.header_error;
    j["source"] = nullptr;
    j["attempts"] = nullptr;
  }
  j["failed_at_ms"] = r.failed_at_ms();
  j["failed_at"] = format_utc_ms(r.failed_at_ms());
  j["age_ms"] = age_ms(now_ms, r.failed_at_ms());
  j["replay_count"] = r.replay_count;
  return j;
}

nlohmann::json summary_json(const Summary& s, std::string_view topic, std::int64_t now_ms) {
  nlohmann::json by_partition = nlohmann::json::object();
  for (const auto& [tp, count] : s.by_source_partition) {
    by_partition[tp.first][std::to_string(tp.second)] = count;
  }
  auto time = [](const std::optional<std::int64_t>& ms) {
    return ms ? nlohmann::json(*ms) : nlohmann::json(nullptr);
  };
  auto time_text = [](const std::optional<std::int64_t>& ms) {
    return ms ? nlohmann::json(format_utc_ms(*ms)) : nlohmann::json(nullptr);
  };
  return {{"type", "summary"},
          {"topic", topic},
          {"total", s.total},
          {"by_class", s.by_class},
          {"by_message", s.by_message},
          {"by_source_partition", std::move(by_partition)},
          {"value_cents", s.value_cents},
          {"value", stats::format_cents(s.value_cents)},
          {"valued_orders", s.valued_orders},
          {"undecodable", s.undecodable},
          {"unreadable_headers", s.unreadable_headers},
          {"oldest_failure_ms", time(s.oldest_failure_ms)},
          {"newest_failure_ms", time(s.newest_failure_ms)},
          {"oldest_failure", time_text(s.oldest_failure_ms)},
          {"newest_failure", time_text(s.newest_failure_ms)},
          {"now_ms", now_ms}};
}

std::string dump_line(const nlohmann::json& j) {
  return util::json_line(j);
}

}  // namespace dlq
