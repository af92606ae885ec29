#include "dlq/replay_report.h"

#include <fmt/format.h>

#include "dlq/printable.h"
#include "stats/aggregate.h"

namespace dlq {
namespace {

std::string where(const DlqRecord& r) {
  return fmt::format("{}[{}]@{}", r.raw.topic, r.raw.partition, r.raw.offset);
}

void list_refusal(std::vector<std::string>& list, std::string text) {
  if (list.size() < kMaxListedRefusals) list.push_back(std::move(text));
}

}  // namespace

void ReplayReport::count(const DlqRecord& record, const ReplayDecision& decision) {
  ++read;
  switch (decision.verdict) {
    case Verdict::replay:
      ++replayed;
      ++replayed_by_class[record.class_name()];
      ++replayed_by_topic[decision.record.topic];
      if (record.order) {
        if (auto cents = order_value_cents(*record.order)) replayed_value_cents += *cents;
      }
      break;
    case Verdict::not_selected:
      ++not_selected;
      break;
    case Verdict::refused:
      ++refused;
      ++refused_by_class[record.class_name()];
      list_refusal(refusals, where(record) + ": " + decision.reason);
      break;
    case Verdict::unreplayable:
      problems.push_back(where(record) + ": " + decision.reason);
      break;
  }
}

void ReplayReport::merge(const ReplayReport& o) {
  read += o.read;
  replayed += o.replayed;
  not_selected += o.not_selected;
  refused += o.refused;
  for (const auto& [k, v] : o.replayed_by_class) replayed_by_class[k] += v;
  for (const auto& [k, v] : o.refused_by_class) refused_by_class[k] += v;
  for (const auto& [k, v] : o.replayed_by_topic) replayed_by_topic[k] += v;
  replayed_value_cents += o.replayed_value_cents;
  for (const auto& r : o.refusals) list_refusal(refusals, r);
  problems.insert(problems.end(), o.problems.begin(), o.problems.end());
}

std::string render_replay_text(const ReplayReport& r, const ReplayRunInfo& run) {
  constexpr std::string_view kRule =
      "======================================================================";
  std::string out;
  auto add = [&out](std::string_view text) {
    out += text;
    out += '\n';
  };
  const char* verb = run.dry_run ? "Would replay" : "Replayed";
  add(kRule);
  add(fmt::format("DLQ REPLAY{}: {} (group {})", run.dry_run ? " (dry run)" : "",
                  printable(run.dlq_topic), printable(run.group)));
  add(kRule);
  add(fmt::format("DLQ records read: {}", r.read));
  add(fmt::format("{}: {}", verb, r.replayed));
  for (const auto& [cls, n] : r.replayed_by_class) add(fmt::format("  - {}: {}", cls, n));
  for (const auto& [topic, n] : r.replayed_by_topic) {
    add(fmt::format("  -> {}: {}", printable(topic), n));
  }
  add(fmt::format("Value of {} orders: {}", run.dry_run ? "selected" : "replayed",
                  stats::format_cents(r.replayed_value_cents)));
  add(fmt::format("Not selected by the filters: {}", r.not_selected));
  if (r.refused > 0) {
    add(fmt::format("Refused: {} (passed over, the reasons below)", r.refused));
    for (const auto& [cls, n] : r.refused_by_class) add(fmt::format("  - {}: {}", cls, n));
    for (const auto& why : r.refusals) add(fmt::format("  REFUSED {}", printable(why)));
    if (r.refused > r.refusals.size()) {
      add(fmt::format("  ... and {} more (each one is in the log)", r.refused - r.refusals.size()));
    }
  }
  if (run.limit_reached) add("Stopped at --limit.");
  if (run.interrupted) add("Interrupted: the next run with this group continues from here.");
  for (const auto& p : r.problems) add(fmt::format("NOT REPLAYED: {}", printable(p)));
  add(kRule);
  return out;
}

nlohmann::json replay_json(const ReplayReport& r, const ReplayRunInfo& run) {
  return {{"type", "replay"},
          {"topic", run.dlq_topic},
          {"group", run.group},
          {"dry_run", run.dry_run},
          {"interrupted", run.interrupted},
          {"limit_reached", run.limit_reached},
          {"read", r.read},
          {"replayed", r.replayed},
          {"replayed_by_class", r.replayed_by_class},
          {"replayed_by_topic", r.replayed_by_topic},
          {"value_cents", r.replayed_value_cents},
          {"not_selected", r.not_selected},
          {"refused", r.refused},
          {"refused_by_class", r.refused_by_class},
          {"refusals", r.refusals},
          {"problems", r.problems},
          {"ok", r.ok()}};
}

}  // namespace dlq
