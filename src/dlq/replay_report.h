#pragma once
// What a replay run did: counts by verdict, replayed records by class and target topic, the value
// of the replayed orders in exact cents. Mergeable, because the shell tallies each transaction
// apart and merges it only once the transaction has committed.
#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "dlq/dlq_record.h"
#include "dlq/replay_plan.h"

namespace dlq {

// The report lists at most this many refused records (all are logged; the counts are exact).
inline constexpr std::size_t kMaxListedRefusals = 100;

struct ReplayReport {
  std::uint64_t read = 0;  // DLQ records looked at (selected or not)
  std::uint64_t replayed = 0;
  std::uint64_t not_selected = 0;
  std::uint64_t refused = 0;
  std::map<std::string, std::uint64_t> replayed_by_class;
  std::map<std::string, std::uint64_t> refused_by_class;
  std::map<std::string, std::uint64_t> replayed_by_topic;
  std::int64_t replayed_value_cents = 0;
  // Refused records, "dlq[partition]@offset: reason", the first kMaxListedRefusals of them.
  std::vector<std::string> refusals;
  std::vector<std::string> problems;  // what could not be replayed, and why the run stopped

  void count(const DlqRecord& record, const ReplayDecision& decision);
  void merge(const ReplayReport& other);
  bool ok() const { return problems.empty(); }
};

struct ReplayRunInfo {
  std::string dlq_topic;
  std::string group;
  bool dry_run = false;
  bool interrupted = false;
  bool limit_reached = false;
};

std::string render_replay_text(const ReplayReport& report, const ReplayRunInfo& run);
nlohmann::json replay_json(const ReplayReport& report, const ReplayRunInfo& run);

}  // namespace dlq
