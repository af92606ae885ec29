#pragma once
// What the aggregates topic must be for checkpoints to survive: compacted, so the latest
// checkpoint of every key stays however long its partition is idle. A topic that deletes by age
// or size would drop an idle partition's checkpoint, and the group's aggregate with it (the
// consumer would then restart that partition at its committed offset with an empty aggregate).
#include <map>
#include <optional>
#include <string>

namespace consume {

// The configuration the consumer creates the topic with.
std::map<std::string, std::string> aggregates_topic_config();

// Why an existing topic with this (effective) configuration cannot hold checkpoints, or nullopt
// when it can. Entries the broker did not report are not held against it.
std::optional<std::string> aggregates_topic_problem(
    const std::map<std::string, std::string>& config);

}  // namespace consume
