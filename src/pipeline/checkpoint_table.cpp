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
  entry.key = key;
  try {
    Checkpoint c = decode_checkpoint(*value);
    if (c.topic != parsed->topic || c.partition != parsed->partition) {
      entry.error = "value describes " + legacy_checkpoint_key(c.topic, c.partition);
    } else if (!parsed->group.empty() && c.group != parsed->group) {
      entry.error = "value describes consumer group '" + c.group + "'";
    } else {
      entry.checkpoint = std::move(c);
    }
  } catch (const CheckpointError& e) {
    entry.error = e.what();
  }
  entries_[std::move(*parsed)] = std::move(entry);
}

const CheckpointTable::Entry* CheckpointTable::find(std::string_view group, std::string_view topic,
                                                    std::int32_t partition) const {
  if (!group.empty()) {
    auto own = entries_.find(CheckpointKey{std::string(group), std::string(topic), partition});
    if (own != entries_.end()) return &own->second;
  }
  auto old = entries_.find(CheckpointKey{{}, std::string(topic), partition});
  if (old == entries_.end()) return nullptr;
  // An unreadable older key may be this group's: not knowing, it is not skipped.
  const auto& c = old->second.checkpoint;
  if (c && !c->group.empty() && c->group != group) return nullptr;
  return &old->second;
}

std::map<std::int32_t, const CheckpointTable::Entry*> CheckpointTable::for_topic(
    std::string_view group, std::string_view topic) const {
  std::map<std::int32_t, const Entry*> out;
  for (const auto& [key, entry] : entries_) {
    if (key.topic != topic || out.count(key.partition)) continue;
    if (const Entry* e = find(group, topic, key.partition)) out.emplace(key.partition, e);
  }
  return out;
}

std::set<std::string> CheckpointTable::groups(std::string_view topic) const {
  std::set<std::string> out;
  for (const auto& [key, entry] : entries_) {
    if (key.topic != topic) continue;
    if (!key.group.empty()) {
      out.insert(key.group);
    } else if (entry.checkpoint && !entry.checkpoint->group.empty()) {
      out.insert(entry.checkpoint->group);
    }
  }
  return out;
}

TopicTotals merge_topic(const CheckpointTable& table, std::string_view group,
                        std::string_view topic, std::size_t max_products) {
  TopicTotals totals;
  // Merged unbounded, folded once: the names kept are the most counted over the whole topic.
  totals.aggregate.set_max_products(std::numeric_limits<std::size_t>::max());
  for (const auto& [partition, entry] : table.for_topic(group, topic)) {
    if (entry->checkpoint) {
      totals.aggregate.merge(entry->checkpoint->aggregate);
      totals.partitions.push_back(*entry->checkpoint);
    } else {
      totals.errors.push_back(entry->key + ": " + entry->error);
    }
  }
  totals.aggregate.set_max_products(max_products);
  return totals;
}

}  // namespace pipeline
