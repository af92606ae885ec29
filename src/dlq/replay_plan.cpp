#include "dlq/replay_plan.h"

#include <stdexcept>

namespace dlq {
namespace {

bool is_dlq_header(const std::string& key) {
  return key.starts_with("dlq.");
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
  out.emplace_back(kReplayCountHeader, std::to_string(record.replay_count + 1));
  out.emplace_back(kReplayedAtHeader, std::to_string(now_ms));
  return out;
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
    if (!record.info) {
      d.verdict = Verdict::refused;
      d.reason = "unreadable dlq.* headers (" + record.header_error + ")";
      return d;
    }
    if (record.info->error_class == pipeline::ErrorClass::deserialization) {
      d.verdict = Verdict::refused;
      d.reason = "deserialization failures would fail again";
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
  }
  out.key = record.raw.key;
  out.value = record.raw.value;
  out.headers = replay_headers(record, now_ms);
  return d;
}

}  // namespace dlq
