#include "pipeline/checkpoint_table.h"

#include <limits>

namespace pipeline {

void CheckpointTable::apply(std::string_view key, const std::optional<std::string>& value) {
  auto parsed = parse_checkpoint_key(key);
  if (!parsed) {
    if (foreign_.size() < 100) foreign_.emplace_back(key);  // enough to say what is there
    return;
  }
  if (!value) {
    entries_.erase(*parsed);
    return;
  }
  Entry entry;
  try {
    Checkpoint c = decode_checkpoint(*value);
    if (c.topic != parsed->first || c.partition != parsed->second) {
      entry.error = "value describes " + checkpoint_key(c.topic, c.partition);
    } else {
      entry.checkpoint = std::move(c);
    }
  } catch (const CheckpointError& e) {
    entry.error = e.what();
  }
  entries_[std::move(*parsed)] = std::move(entry);
}

const CheckpointTable::Entry* CheckpointTable::find(std::string_view topic,
                                                    std::int32_t partition) const {
  auto it = entries_.find(std::pair{std::string(topic), partition});
  return it == entries_.end() ? nullptr : &it->second;
}

std::map<std::int32_t, const CheckpointTable::Entry*> CheckpointTable::for_topic(
    std::string_view topic) const {
  std::map<std::int32_t, const Entry*> out;
  for (auto it = entries_.lower_bound(std::pair{std::string(topic), std::int32_t{0}});
       it != entries_.end() && it->first.first == topic; ++it) {
    out.emplace(it->first.second, &it->second);
  }
  return out;
}

TopicTotals merge_topic(const CheckpointTable& table, std::string_view topic,
                        std::size_t max_products) {
  TopicTotals totals;
  // Merged unbounded, folded once: the names kept are the most counted over the whole topic.
  totals.aggregate.set_max_products(std::numeric_limits<std::size_t>::max());
  for (const auto& [partition, entry] : table.for_topic(topic)) {
    if (entry->checkpoint) {
      totals.aggregate.merge(entry->checkpoint->aggregate);
      totals.partitions.push_back(*entry->checkpoint);
    } else {
      totals.errors.push_back(checkpoint_key(topic, partition) + ": " + entry->error);
    }
  }
  totals.aggregate.set_max_products(max_products);
  return totals;
}

}  // namespace pipeline
