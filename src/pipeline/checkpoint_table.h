#pragma once
// The latest checkpoint per key, as a reader of the aggregates topic builds it: records are
// applied in offset order per partition and a later record replaces an earlier one with the same
// key, exactly what compaction keeps. A tombstone (null value) removes the key. An undecodable
// latest value is remembered as an error for that key, never silently replaced by an older one.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pipeline/checkpoint.h"
#include "stats/aggregate.h"

namespace pipeline {

class CheckpointTable {
 public:
  void apply(std::string_view key, const std::optional<std::string>& value);

  struct Entry {
    std::optional<Checkpoint> checkpoint;
    std::string error;  // set when the latest value could not be used
  };
  // Nullptr when the topic holds nothing for this source partition.
  const Entry* find(std::string_view topic, std::int32_t partition) const;
  // Every key of one source topic, by partition.
  std::map<std::int32_t, const Entry*> for_topic(std::string_view topic) const;
  // Values whose key is not "<topic>/<partition>" (not ours, or corrupt).
  const std::vector<std::string>& foreign_keys() const { return foreign_; }
  std::size_t size() const { return entries_.size(); }

 private:
  std::map<std::pair<std::string, std::int32_t>, Entry, std::less<>> entries_;
  std::vector<std::string> foreign_;
};

// The group-wide aggregate of one source topic: every partition's latest checkpoint merged.
struct TopicTotals {
  stats::Aggregate aggregate;
  std::vector<Checkpoint> partitions;  // by partition
  std::vector<std::string> errors;     // "<key>: <why>" for unusable entries
};
// The merged aggregate names at most `max_products` products (the rest count as "other").
TopicTotals merge_topic(const CheckpointTable& table, std::string_view topic,
                        std::size_t max_products = stats::kDefaultMaxProducts);

}  // namespace pipeline
