#include "dlq/render_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "dlq/printable.h"
#include "dlq/time_text.h"
#include "stats/aggregate.h"

namespace dlq {
namespace {

constexpr std::string_view kRule =
    "======================================================================";

std::string occurrences(std::uint64_t n) {
  return fmt::format("{} occurrence{}", n, n == 1 ? "" : "s");
}

std::string when(std::int64_t at_ms, std::int64_t now_ms) {
  return fmt::format("{} ({} ago)", format_utc_ms(at_ms), format_age(age_ms(now_ms, at_ms)));
}

}  // namespace

std::string render_record_text(const DlqRecord& r, std::uint64_t n, std::int64_t now_ms) {
  std::string line = fmt::format("DLQ Message #{}: ", n);
  if (r.order) {
    line += fmt::format("OrderID={}, Product={}, Price={}", printable(r.order->order_id),
                        printable(r.order->product), stats::format_dollars(r.order->price));
  } else if (r.info && r.info->value_omitted) {
    // The original was too large to copy (pipeline/dead_letter.h); Source= says where it is.
    line += fmt::format(
        "Value=<value omitted, {} bytes{}: too large for the DLQ>", r.info->original_value_size,
        r.info->key_omitted ? fmt::format("; key omitted, {} bytes", r.info->original_key_size)
                            : "");
  } else if (!r.raw.value) {
    line += "Value=<null>";
  } else {
    line += fmt::format("Value=<not an Order, {}>", hex_preview(*r.raw.value));
  }
  if (r.info) {
    line += fmt::format(", Error='{}', Class={}, Source={}[{}]@{}, Attempts={}",
                        printable(r.info->error_message), r.class_name(),
                        printable(r.info->original_topic), r.info->original_partition,
                        r.info->original_offset, r.info->attempts);
  } else {
    line += fmt::format(", Error=<unreadable dlq.* headers: {}>, Class=unknown",
                        printable(r.header_error));
  }
  // Raw values (the original format) keep the original line.
  if (r.raw.value && r.framing != avro::Framing::raw) {
    line += fmt::format(", Framing={}", r.framing_text());
  }
  if (r.replay_count > 0) line += fmt::format(", Replays={}", r.replay_count);
  line += fmt::format(", Age={}", format_age(age_ms(now_ms, r.failed_at_ms())));
  return line;
}

std::string render_summary_text(const Summary& s, std::string_view scope, std::int64_t now_ms) {
  std::string out;
  auto add = [&out](std::string_view text) {
    out += text;
    out += '\n';
  };
  add(kRule);
  add(fmt::format("DEAD LETTER QUEUE SUMMARY: {}", printable(scope)));
  add(kRule);
  add(fmt::format("Total failed messages: {}", s.total));
  if (s.total > 0) {
    add("");
    add("Errors by class:");
    for (const auto& [name, count] : s.by_class) add(fmt::format("  - {}: {}", name, count));
    add("");
    add("Errors by type:");
    std::vector<std::pair<std::string, std::uint64_t>> messages(s.by_message.begin(),
                                                                s.by_message.end());
    // Most frequent first; ties in message order so the output is stable.
    std::stable_sort(messages.begin(), messages.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    std::uint64_t rest = 0;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      if (i < kTopMessages) {
        add(fmt::format("  - {}: {}", printable(messages[i].first),
                        occurrences(messages[i].second)));
      } else {
        rest += messages[i].second;
      }
    }
    if (messages.size() > kTopMessages) {
      add(fmt::format("  - ({} other messages): {}", messages.size() - kTopMessages,
                      occurrences(rest)));
    }
    if (!s.by_source_partition.empty()) {
      add("");
      add("By source partition:");
      for (const auto& [tp, count] : s.by_source_partition) {
        add(fmt::format("  - {}[{}]: {}", printable(tp.first), tp.second, count));
      }
    }
    add("");
  }
  std::string value_note =
      fmt::format("{} order{}", s.valued_orders, s.valued_orders == 1 ? "" : "s");
  if (s.undecodable > 0) {
    value_note +=
        fmt::format("; {} value{} not an Order", s.undecodable, s.undecodable == 1 ? "" : "s");
  }
  add(fmt::format("Total value of failed orders: {} ({})", stats::format_cents(s.value_cents),
                  value_note));
  if (s.oldest_failure_ms)
    add(fmt::format("Oldest failure: {}", when(*s.oldest_failure_ms, now_ms)));
  if (s.newest_failure_ms)
    add(fmt::format("Newest failure: {}", when(*s.newest_failure_ms, now_ms)));
  add(kRule);
  return out;
}

}  // namespace dlq
