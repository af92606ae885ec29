#include "consume/aggregates_topic.h"

#include <set>
#include <string_view>

namespace consume {
namespace {

std::set<std::string> policies(std::string_view text) {
  std::set<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

const std::string* entry(const std::map<std::string, std::string>& config, const char* key) {
  auto it = config.find(key);
  return it == config.end() ? nullptr : &it->second;
}

}  // namespace

std::map<std::string, std::string> aggregates_topic_config() {
  // Short segments let compaction run soon; a low dirty ratio keeps the topic small.
  return {{"cleanup.policy", "compact"},
          {"segment.ms", "600000"},
          {"min.cleanable.dirty.ratio", "0.1"}};
}

std::optional<std::string> aggregates_topic_problem(
    const std::map<std::string, std::string>& config) {
  const std::string* policy = entry(config, "cleanup.policy");
  if (!policy) return std::nullopt;
  const auto set = policies(*policy);
  if (!set.count("compact")) {
    return "cleanup.policy is '" + *policy +
           "', not compact: old segments are deleted, and with them the checkpoint of every "
           "partition idle for longer than the retention";
  }
  if (!set.count("delete")) return std::nullopt;
  for (const char* key : {"retention.ms", "retention.bytes"}) {
    const std::string* v = entry(config, key);
    if (v && *v != "-1") {
      return "cleanup.policy is '" + *policy + "' with " + key + "=" + *v +
             ": segments past the retention are deleted with the checkpoints in them (use "
             "cleanup.policy=compact, or " +
             key + "=-1)";
    }
  }
  return std::nullopt;
}

}  // namespace consume
