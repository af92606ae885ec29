#pragma once
// The monitor's text output: one line per record in the original's style, then a summary block.
#include <cstdint>
#include <string>
#include <string_view>

#include "dlq/dlq_record.h"
#include "dlq/summary.h"

namespace dlq {

// "DLQ Message #n: OrderID=..., Product=..., Price=$..., Error='...', Class=..., Source=t[p]@o,
// Attempts=..., Age=..." (no trailing newline). A value that is not an Order shows as
// "Value=<not an Order, N bytes: hex ...>".
std::string render_record_text(const DlqRecord& record, std::uint64_t n, std::int64_t now_ms);

// The DEAD LETTER QUEUE SUMMARY block; `scope` says what was read (topic, filters).
std::string render_summary_text(const Summary& summary, std::string_view scope,
                                std::int64_t now_ms);

// How many distinct error messages the text summary lists before folding the rest into one line.
inline constexpr std::size_t kTopMessages = 10;

}  // namespace dlq
