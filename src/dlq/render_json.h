#pragma once
// The monitor's --json output: one object per record ("type": "record") and a final summary
// object ("type": "summary"), one per line. Dump with dump_line: header and message bytes are
// untrusted and may not be valid UTF-8.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "dlq/dlq_record.h"
#include "dlq/summary.h"

namespace dlq {

nlohmann::json record_json(const DlqRecord& record, std::uint64_t n, std::int64_t now_ms);
nlohmann::json summary_json(const Summary& summary, std::string_view topic, std::int64_t now_ms);

// util::json_line: compact, one line, ASCII only, invalid UTF-8 replaced by U+FFFD (never throws
// on bad bytes).
std::string dump_line(const nlohmann::json& j);

}  // namespace dlq
