#pragma once
// Whether a partition's restored position still belongs to the log it is about to read (pure).
//
// A checkpoint (or a committed offset) names an offset of one particular log. When the topic was
// deleted and recreated under its name, or its log truncated by an unclean leader election, the
// same offset names other records, or none at all, and starting there would skip records that
// were never processed. Two checks catch it:
//  - the range: the start must lie within [log start, log end]. Above the end: the log is not
//    the one the checkpoint was written for (a mismatch). Below the start: the records in
//    between were deleted (retention, DeleteRecords) before they were read: lost to the broker,
//    counted and said, reading goes on at the log start.
//  - the anchor: a checkpoint remembers one record it covers (offset and fingerprint). Reading
//    resumes at that record; if another record sits at that offset, the log was rewritten under
//    the checkpoint (a mismatch, even when the new log is longer than the old one).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline {

// [low, high): the first offset still in the log and the next offset to be written (under
// read_committed, the last stable offset).
struct LogRange {
  std::int64_t low = 0;
  std::int64_t high = 0;
};

// One record a checkpoint covers: where it is and what it was.
struct RecordAnchor {
  std::int64_t offset = 0;
  std::uint64_t fingerprint = 0;
  bool operator==(const RecordAnchor&) const = default;
};

// A stable 64-bit fingerprint (pipeline::fnv1a64, stable_hash.h) of a record's timestamp, key and
// value; a null key or value differs from an empty one. Stable across builds: it is stored in
// checkpoints.
std::uint64_t record_fingerprint(std::int64_t timestamp_ms, std::optional<std::string_view> key,
                                 std::optional<std::string_view> value);

struct StartCheck {
  enum class Kind { ok, below_start, mismatch };
  Kind kind = Kind::ok;
  std::optional<std::int64_t> start;  // where to read from (nullopt: the reset policy decides)
  std::int64_t lost = 0;              // below_start: records deleted before they were read
  std::string reason;                 // mismatch, below_start: what was found
};

// `planned`: where the start plan reads from; `committed`: the group's committed offset (if
// any). Both must lie within the log; a committed offset beyond its end is a mismatch too.
StartCheck check_start(std::optional<std::int64_t> planned, std::optional<std::int64_t> committed,
                       LogRange log);

enum class AnchorCheck {
  pending,       // the record at the anchor's offset has not come yet
  verified,      // the same record: the log is the checkpoint's
  mismatch,      // another record at that offset
  unverifiable,  // the anchor's record is gone (retention, compaction): nothing to compare
};
AnchorCheck check_anchor(const RecordAnchor& anchor, std::int64_t offset,
                         std::uint64_t fingerprint);

// When a partition's state does not match its log: names the partition, what was restored, the
// log range, and the flag that starts the partition over; then either the refusal (`refusing`)
// or that the partition starts over (the flag was given).
std::string log_mismatch_message(std::string_view topic, std::int32_t partition,
                                 std::string_view what, std::string_view flag, bool refusing);

}  // namespace pipeline
