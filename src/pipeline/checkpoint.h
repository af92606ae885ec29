#pragma once
// A source partition's aggregate checkpoint, as stored in the compacted aggregates topic:
//   key   = "<group>/<topic>/<partition>"   one key per consumer group and source partition, so
//           groups consuming the same topic keep apart; topic names cannot contain '/', so the
//           last two '/' split it even when the group has some. Keys written before keys named
//           the group, "<topic>/<partition>", are still read (CheckpointTable: a fallback while
//           the group has no key of its own).
//   value = UTF-8 JSON {"version": 1, "topic", "partition", "offset", "group", "written_at_ms",
//                       "aggregate": stats::Aggregate::to_json()}
//   version 2 adds "finished_above": {"through": T, "unfinished": [d1, d2, ...]}: records above
//   `offset` finished out of order (non-blocking retries): every offset in (offset, T] except
//   offset+d1, offset+d1+d2, ... (deltas keep it short). Written only when that set is not
//   empty, so a checkpoint without one stays readable by version-1 builds, and a version-1
//   build refuses one it would misread.
//   version 3: the aggregate has an "other" bucket (orders of products it does not name, see
//   stats/aggregate.h); written only then, so version-2 builds refuse what they would misread.
//   "anchor": {"offset": A, "fingerprint": "<16 hex digits>"} (any version, optional): one record
//   below `offset` that the aggregate covers, so a restore can tell that the log is still the
//   one the checkpoint was written for (pipeline/log_check.h). Older builds ignore it.
// Size: a value never exceeds its byte budget (below the producer's message.max.bytes) while
// the aggregate names products: the least counted ones are folded into "other" until it fits,
// so a checkpoint can always be written and commits never fail for its size.
// `offset` is the next offset to read: the aggregate covers exactly the records below it plus the
// finished ones above it. It is written in one record, so any checkpoint ever written is
// self-consistent. JSON (not Avro)
// because it is tiny, self-describing and readable with any console consumer; `version` lets a
// later format coexist (a reader refuses versions it does not know instead of guessing).
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "pipeline/finished_set.h"
#include "pipeline/log_check.h"
#include "stats/aggregate.h"

namespace pipeline {

inline constexpr int kCheckpointVersion = 3;  // the newest version read and written

struct Checkpoint {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  stats::Aggregate aggregate;
  std::string group;  // the consumer group that wrote it
  std::int64_t written_at_ms = 0;
  FinishedSet finished;  // records above `offset` finished already (its `from` is `offset`)
  std::optional<RecordAnchor> anchor;  // a record below `offset` it covers, if one is known

  bool operator==(const Checkpoint&) const = default;
};

class CheckpointError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct CheckpointKey {
  std::string group;  // empty: the older form without a group ("<topic>/<partition>")
  std::string topic;
  std::int32_t partition = 0;

  auto operator<=>(const CheckpointKey&) const = default;
};

// `group` must not be empty (a consumer group id never is).
std::string checkpoint_key(std::string_view group, std::string_view topic, std::int32_t partition);
// The older key, without a group: read for compatibility, never written.
std::string legacy_checkpoint_key(std::string_view topic, std::int32_t partition);
// Inverse of both; nullopt for anything else.
std::optional<CheckpointKey> parse_checkpoint_key(std::string_view key);

// Room for a checkpoint value under librdkafka's default message.max.bytes (1,000,000), leaving
// space for its key and the record's framing.
inline constexpr std::size_t kMaxCheckpointBytes = 900'000;

// At most `max_bytes` unless even an aggregate naming no product is larger (then as small as it
// gets; the write fails and is reported).
std::string encode_checkpoint(const Checkpoint& checkpoint,
                              std::size_t max_bytes = kMaxCheckpointBytes);
// Throws CheckpointError naming what is wrong (not JSON, unknown version, missing field, ...).
Checkpoint decode_checkpoint(std::string_view value);

}  // namespace pipeline
