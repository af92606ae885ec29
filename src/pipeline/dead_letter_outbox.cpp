#include "pipeline/dead_letter_outbox.h"

namespace pipeline {

void DeadLetterOutbox::sent(std::int32_t dlq_partition, OutboxEntry entry) {
  by_partition_[dlq_partition].push_back(std::move(entry));
  ++in_flight_;
}

std::optional<OutboxEntry> DeadLetterOutbox::reported(std::int32_t dlq_partition,
                                                      std::string_view key,
                                                      std::size_t value_size) {
  auto it = by_partition_.find(dlq_partition);
  if (it == by_partition_.end()) return std::nullopt;
  auto& q = it->second;
  for (auto e = q.begin(); e != q.end(); ++e) {
    if (e->key == key && e->value_size == value_size) {
      OutboxEntry found = std::move(*e);
      q.erase(e);
      --in_flight_;
      if (q.empty()) by_partition_.erase(it);
      return found;
    }
  }
  return std::nullopt;
}

}  // namespace pipeline
