#pragma once
// Deciding, record by record, what `orders dlq replay` does with a DLQ record, and building the
// record it re-publishes: original key, value and headers, plus dlq.replay.count (incremented)
// and dlq.replayed.at. Pure code; the Kafka shell only sends what this returns.
#include <cstdint>
#include <optional>
#include <string>

#include "dlq/dlq_record.h"
#include "dlq/filter.h"
#include "pipeline/source_record.h"

namespace dlq {

struct ReplayOptions {
  Filter filter;
  std::optional<std::string> to;  // target topic; default: each record's dlq.original.topic
  bool force = false;             // also replay deserialization records (and unreadable ones)
};

// Rejects option sets that can only be refused: --error-class deserialization without --force.
// Throws std::invalid_argument.
void check_replay_options(const ReplayOptions& options);

enum class Verdict {
  replay,        // re-publish `record`
  not_selected,  // the filter does not select it: passed over
  refused,       // selected, but replaying would fail again (deserialization): passed over
  unreplayable,  // selected and forced, but there is nowhere to send it: the run stops here
};

struct OutgoingRecord {
  std::string topic;
  // The original partition when going back to the original topic (keeps per-partition order
  // with the records around it); nullopt lets the partitioner place it by key.
  std::optional<std::int32_t> partition;
  std::optional<std::string> key;
  std::optional<std::string> value;
  pipeline::Headers headers;

  bool operator==(const OutgoingRecord&) const = default;
};

struct ReplayDecision {
  Verdict verdict = Verdict::not_selected;
  std::string reason;     // for refused / unreplayable
  OutgoingRecord record;  // for replay
};

ReplayDecision plan_replay(const DlqRecord& record, const ReplayOptions& options,
                           std::int64_t now_ms);

// The original headers (without any dlq.* header) followed by dlq.replay.count = previous + 1
// and dlq.replayed.at = now_ms.
pipeline::Headers replay_headers(const DlqRecord& record, std::int64_t now_ms);

}  // namespace dlq
