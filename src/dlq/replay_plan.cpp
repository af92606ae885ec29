#include "dlq/replay_plan.h"

#include <limits>
#include <stdexcept>

namespace dlq {
namespace {

bool is_dlq_header(const std::string& key) {
  return key.starts_with("dlq.");
}

// Why a selected record would fail again, or cannot be read well enough to replay; empty if
// none. --force overrides these.
std::string would_fail_again(const DlqRecord& record) {
  if (!record.info) return "unreadable dlq.* headers (" + record.header_error + ")";
  if (record.info->error_class == pipeline::ErrorClass::deserialization) {
    return "deserialization failures would fail again";
  }
  if (!record.replay_count_error.empty()) return record.replay_count_error;
  return {};
}

// Also when the rest of the dlq.* headers is unreadable.
bool value_omitted(const DlqRecord& record) {
  if (record.info) return record.info->value_omitted;
  for (const auto& [k, v] : record.raw.headers) {
    if (k == pipeline::dlq_header::kValueOmitted) return true;
  }
  return false;
}

}  // namespace

void check_replay_options(const ReplayOptions& options) {
  if (!options.force && options.filter.classes.contains(pipeline::ErrorClass::deserialization)) {
    throw std::invalid_argument(
        "refusing to replay class 'deserialization': those values are not Orders and would fail "
        "again (pass --force to replay them anyway)");
  }
  if (options.to && options.to->empty()) throw std::invalid_argument("--to needs a topic name");
  if (options.to) {
    if (auto why = never_target(options.targets, *options.to)) {
      throw std::invalid_argument("--to refused: " + *why);
    }
  }
  check_allow_patterns(options.targets.allow);
}

pipeline::Headers replay_headers(const DlqRecord& record, std::int64_t now_ms) {
  // Readable headers: the parser already set the last dlq.* set apart. Older sets and earlier
  // replay markers go too, so the re-published record looks like the original plus one marker.
  const pipeline::Headers& source =
      record.info ? record.info->original_headers : record.raw.headers;
  pipeline::Headers out;
  for (const auto& h : source) {
    if (!is_dlq_header(h.first)) out.push_back(h);
  }
  // The count comes from a header: any value up to the maximum, which stays the maximum.
  const std::int64_t count = record.replay_count < std::numeric_limits<std::int64_t>::max()
                                 ? record.replay_count + 1
                                 : record.replay_count;
  out.emplace_back(kReplayCountHeader, std::to_string(count));
  out.emplace_back(kReplayedAtHeader, std::to_string(now_ms));
  return out;
}

void refuse_target(ReplayDecision& d, std::string reason, const ReplayOptions& options) {
  d.record = {};
  if (options.skip_refused) {
    d.verdict = Verdict::refused;
    d.reason = std::move(reason);
  } else {
    d.verdict = Verdict::unreplayable;
    d.reason = std::move(reason) + "; stopped here (--skip-refused passes over such records)";
  }
}

ReplayDecision plan_replay(const DlqRecord& record, const ReplayOptions& options,
                           std::int64_t now_ms) {
  ReplayDecision d;
  if (!options.filter.matches(record)) return d;
  if (value_omitted(record)) {
    // Never re-publish an empty value in its place, not even with --force.
    d.verdict = Verdict::refused;
    d.reason = record.info ? record.decode_error : "value omitted from the DLQ";
    return d;
  }
  if (!options.force) {
    if (auto why = would_fail_again(record); !why.empty()) {
      d.verdict = Verdict::refused;
      d.reason = std::move(why);
      return d;
    }
  }
  if (!record.info && !options.to) {
    d.verdict = Verdict::unreplayable;
    d.reason =
        "no dlq.original.topic to send it back to (" + record.header_error + "); use --to TOPIC";
    return d;
  }
  d.verdict = Verdict::replay;
  OutgoingRecord& out = d.record;
  if (options.to) {
    out.topic = *options.to;
  } else {
    out.topic = record.info->original_topic;
    out.partition = record.info->original_partition;
    if (auto why = target_refusal(options.targets, out.topic)) {
      refuse_target(d, std::move(*why), options);
      return d;
    }
  }
  out.key = record.raw.key;
  out.value = record.raw.value;
  out.headers = replay_headers(record, now_ms);
  return d;
}

}  // namespace dlq
