#include "dlq/replay_target.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "util/printable.h"

namespace dlq {
namespace {

constexpr std::string_view kDlqSuffix = "-dlq";

bool topic_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

const std::vector<std::string>& allowed(const TargetRules& rules, std::vector<std::string>& tmp) {
  if (!rules.allow.empty()) return rules.allow;
  tmp = default_allowed(rules.dlq_topic);
  return tmp;
}

}  // namespace

std::vector<std::string> default_allowed(std::string_view dlq_topic) {
  if (dlq_topic.size() <= kDlqSuffix.size() || !dlq_topic.ends_with(kDlqSuffix)) return {};
  return {std::string(dlq_topic.substr(0, dlq_topic.size() - kDlqSuffix.size()))};
}

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative, with one backtrack point for the last '*': linear in practice, never recursive.
  std::size_t p = 0, t = 0, star = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p, ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_t = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::optional<std::string> never_target(const TargetRules& rules, std::string_view topic) {
  const std::string shown = util::printable(topic);
  if (topic.starts_with('_')) {
    return fmt::format("'{}' is an internal topic (its name starts with '_')", shown);
  }
  if (topic == rules.dlq_topic)
    return fmt::format("'{}' is the dead-letter topic being read", shown);
  if (std::find(rules.never_topics.begin(), rules.never_topics.end(), topic) !=
      rules.never_topics.end()) {
    return fmt::format("'{}' is the aggregates topic (--aggregates-topic)", shown);
  }
  return std::nullopt;
}

std::optional<std::string> target_refusal(const TargetRules& rules, std::string_view topic) {
  if (auto why = never_target(rules, topic)) return "target topic " + *why;
  std::vector<std::string> tmp;
  const auto& patterns = allowed(rules, tmp);
  for (const auto& p : patterns) {
    if (glob_match(p, topic)) return std::nullopt;
  }
  const std::string list = patterns.empty()
                               ? "none by default, the DLQ's name does not end in -dlq"
                               : fmt::format("{}{}", fmt::join(patterns, ", "),
                                             rules.allow.empty() ? ", the default" : "");
  return fmt::format("target topic '{}' is not allowed (allowed: {}; see --allow-topic)",
                     util::printable(topic), list);
}

std::optional<std::string> partition_refusal(std::int32_t partition, int partition_count,
                                             std::string_view topic) {
  if (partition >= 0 && partition < partition_count) return std::nullopt;
  return fmt::format("dlq.original.partition {} is out of range: '{}' has {} partition{}",
                     partition, util::printable(topic), partition_count,
                     partition_count == 1 ? "" : "s");
}

void check_allow_patterns(const std::vector<std::string>& patterns) {
  for (const auto& p : patterns) {
    const bool ok = !p.empty() && std::all_of(p.begin(), p.end(), [](char c) {
      return topic_char(c) || c == '*' || c == '?';
    });
    if (!ok) {
      throw std::invalid_argument(fmt::format(
          "invalid --allow-topic '{}': a topic name or a glob of one (letters, digits, . _ - and "
          "the wildcards * and ?)",
          util::printable(p)));
    }
  }
}

}  // namespace dlq
