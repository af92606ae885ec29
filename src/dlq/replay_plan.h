#pragma once
// Deciding, record by record, what `orders dlq replay` does with a DLQ record, and building the
// record it re-publishes: original key, value and headers, plus dlq.replay.count (incremented)
// and dlq.replayed.at. Pure code; the Kafka shell only sends what this returns.
#include <cstdint>
#include <optional>
#include <string>

#include "dlq/dlq_record.h"
#include "dlq/filter.h"
#include "dlq/replay_target.h"
#include "pipeline/source_record.h"

namespace dlq {

struct ReplayOptions {
  Filter filter;
  std::optional<std::string> to;  // target topic; default: each record's dlq.original.topic
  // Which header-named targets are allowed (--to is the operator's own choice: allowed unless a
  // never-target).
  TargetRules targets;
  bool force = false;  // also replay deserialization records (and unreadable ones)
  // A record whose target is refused is passed over (listed with its reason) instead of
  // stopping the run there.
  bool skip_refused = false;
};

// Rejects option sets that can only be refused: --error-class deserialization without --force,
// a --to that is never a target, a malformed --allow-topic. Throws std::invalid_argument.
void check_replay_options(const ReplayOptions& options);

enum class Verdict {
  replay,        // re-publish `record`
  not_selected,  // the filter does not select it: passed over
  // Selected, but not replayed and passed over, with the reason: it would fail again
  // (deserialization, unreadable headers), or its target is refused and skip_refused is set.
  refused,
  // Selected, but there is nowhere it may go (no readable target, or its target is refused
  // without skip_refused): the run stops before it, so nothing after it commits.
  unreplayable,
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

// Turns a planned replay into a refusal of its target for `reason`: refused (passed over) with
// skip_refused, unreplayable (the run stops here) without. For checks only the shell can make
// (the target's partition count).
void refuse_target(ReplayDecision& decision, std::string reason, const ReplayOptions& options);

// The original headers (without any dlq.* header) followed by dlq.replay.count = previous + 1
// (saturating) and dlq.replayed.at = now_ms.
pipeline::Headers replay_headers(const DlqRecord& record, std::int64_t now_ms);

}  // namespace dlq
