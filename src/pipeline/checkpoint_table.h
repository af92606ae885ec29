#pragma once
// The latest checkpoint per key, as a reader of the aggregates topic builds it: records are
// applied in offset order per partition and a later record replaces an earlier one with the same
// key, exactly what compaction keeps. A tombstone (null value) removes the key. An undecodable
// latest value is remembered as an error for that key, never silently replaced by an older one.
//
// Keys name the consumer group ("<group>/<topic>/<partition>"). A key of the older form
// ("<topic>/<partition>", no group) is the migration path: it counts for a group only while that
// group has no key of its own for the partition, and only when its value names that group (or
// no group at all). The group's first new checkpoint supersedes it; it is never deleted.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
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
    std::string key;    // as stored
  };
  // The group's checkpoint of a source partition (its own key, else a usable older key);
  // nullptr when there is none.
  const Entry* find(std::string_view group, std::string_view topic, std::int32_t partition) const;
  // find() for every partition of `topic` that has any key.
  std::map<std::int32_t, const Entry*> for_topic(std::string_view group,
                                                 std::string_view topic) const;
  // The groups with a readable checkpoint of `topic` (older keys count for the group they name).
  std::set<std::string> groups(std::string_view topic) const;
  // Keys that are no checkpoint key (not ours, or corrupt).
  const std::vector<std::string>& foreign_keys() const { return foreign_; }
  std::size_t size() const { return entries_.size(); }

 private:
  std::map<CheckpointKey, Entry, std::less<>> entries_;
  std::vector<std::string> foreign_;
};

// A group's aggregate of one source topic: every partition's latest checkpoint merged.
struct TopicTotals {
  stats::Aggregate aggregate;
  std::vector<Checkpoint> partitions;  // by partition
  std::vector<std::string> errors;     // "<key>: <why>" for unusable entries
};
// The merged aggregate names at most `max_products` products (the rest count as "other").
TopicTotals merge_topic(const CheckpointTable& table, std::string_view group,
                        std::string_view topic,
                        std::size_t max_products = stats::kDefaultMaxProducts);

}  // namespace pipeline
