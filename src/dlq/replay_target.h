#pragma once
// Where `orders dlq replay` may write. The target comes from the record's dlq.original.* headers,
// and anyone who can write to the DLQ can write those: so the operator names the topics a replay
// may write to (--allow-topic patterns, or --to), and some topics are never written whatever the
// patterns say. Pure code; the replayer asks before each record it sends.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dlq {

struct TargetRules {
  // Glob patterns (`*`: any run of characters, `?`: one character) a header-named target must
  // match. Empty: default_allowed(dlq_topic).
  std::vector<std::string> allow;
  std::string dlq_topic;                  // the DLQ being read: never a target (a replay loop)
  std::vector<std::string> never_topics;  // e.g. the consumers' aggregates topic
};

// The allow list without --allow-topic: the DLQ's name without its "-dlq" suffix ("orders-dlq"
// -> "orders", the consumer's default topics); nothing for a DLQ named otherwise.
std::vector<std::string> default_allowed(std::string_view dlq_topic);

bool glob_match(std::string_view pattern, std::string_view text);

// Why `topic` is never a target, whatever the patterns: an internal topic (its name starts with
// '_': __consumer_offsets, __transaction_state, _schemas, ...), the DLQ being read, or one of
// `never_topics`. nullopt: it may be one.
std::optional<std::string> never_target(const TargetRules& rules, std::string_view topic);

// Why a target named by a record's headers is refused: never_target, or no allowed pattern
// matches. nullopt: allowed.
std::optional<std::string> target_refusal(const TargetRules& rules, std::string_view topic);

// Why a record cannot go to `partition` of `topic`, which has `partition_count` partitions.
std::optional<std::string> partition_refusal(std::int32_t partition, int partition_count,
                                             std::string_view topic);

// Throws std::invalid_argument for an empty pattern or one with characters no topic name has.
void check_allow_patterns(const std::vector<std::string>& patterns);

}  // namespace dlq
