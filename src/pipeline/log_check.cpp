#include "pipeline/log_check.h"

#include <fmt/format.h>

#include "pipeline/stable_hash.h"

namespace pipeline {
namespace {

std::string_view bytes_of(const std::int64_t& v) {
  return {reinterpret_cast<const char*>(&v), sizeof v};
}

// A length prefix keeps ("ab", "c") apart from ("a", "bc"); -1 marks null.
std::uint64_t mix_field(std::uint64_t h, std::optional<std::string_view> s) {
  const std::int64_t len = s ? static_cast<std::int64_t>(s->size()) : -1;
  h = fnv1a64(bytes_of(len), h);
  return s ? fnv1a64(*s, h) : h;
}

}  // namespace

std::uint64_t record_fingerprint(std::int64_t timestamp_ms, std::optional<std::string_view> key,
                                 std::optional<std::string_view> value) {
  return mix_field(mix_field(fnv1a64(bytes_of(timestamp_ms)), key), value);
}

StartCheck check_start(std::optional<std::int64_t> planned, std::optional<std::int64_t> committed,
                       LogRange log) {
  StartCheck out;
  out.start = planned;
  if (committed && *committed < 0) committed.reset();
  if (planned && *planned > log.high) {
    out.kind = StartCheck::Kind::mismatch;
    out.reason = fmt::format("it restarts at offset {}, beyond the log's end: the log is [{}, {})",
                             *planned, log.low, log.high);
    return out;
  }
  if (committed && *committed > log.high) {
    out.kind = StartCheck::Kind::mismatch;
    out.reason =
        fmt::format("the group committed offset {}, beyond the log's end: the log is [{}, {})",
                    *committed, log.low, log.high);
    return out;
  }
  if (planned && *planned < log.low) {
    out.kind = StartCheck::Kind::below_start;
    out.lost = log.low - *planned;
    out.start = log.low;
    out.reason = fmt::format(
        "{} record(s) at offsets [{}, {}) were deleted from the log before they were read "
        "(retention or DeleteRecords); reading goes on at the log start {}",
        out.lost, *planned, log.low, log.low);
  }
  return out;
}

AnchorCheck check_anchor(const RecordAnchor& anchor, std::int64_t offset,
                         std::uint64_t fingerprint) {
  if (offset < anchor.offset) return AnchorCheck::pending;
  if (offset > anchor.offset) return AnchorCheck::unverifiable;
  return fingerprint == anchor.fingerprint ? AnchorCheck::verified : AnchorCheck::mismatch;
}

std::string log_mismatch_message(std::string_view topic, std::int32_t partition,
                                 std::string_view what, std::string_view flag, bool refusing) {
  return fmt::format(
      "partition {}[{}] does not match the state restored for it: {}. The topic was deleted and "
      "recreated under its name, or its log truncated (unclean leader election); starting there "
      "would skip records that were never processed. {}",
      topic, partition, what,
      refusing ? fmt::format("Refusing to go on; `{}` starts such a partition over from its log "
                             "start with an empty aggregate",
                             flag)
               : fmt::format("Starting it over now from its log start ({}): its old aggregate is "
                             "dropped",
                             flag));
}

}  // namespace pipeline
