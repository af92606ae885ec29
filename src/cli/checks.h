#pragma once
// The flag checks every subcommand shares, so one rule has one wording everywhere. Each is a
// CLI11 validator: a bad value is a usage error at parse time, naming the flag.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "util/duration.h"

namespace cli {

// Kafka's rule for topic names: 1-249 of [a-zA-Z0-9._-], not "." or "..".
CLI::Validator topic_name_check();
// A duration as util::parse_duration reads it ("500us", "10ms", "1.5s", "2m", "1h"); with
// `positive`, zero is refused too.
CLI::Validator duration_check(bool positive = false);
// CLI11's stock number checks print the type's full range; these say it plainly (and refuse
// inf and nan, which no delay or rate can be).
CLI::Validator at_least_zero();
CLI::Validator above_zero();
// Seconds as a double, capped at util::kMaxDuration so any clock arithmetic on them is defined.
CLI::Validator seconds_limit();
// 1-`max_len` of [a-zA-Z0-9._-]: ids and prefixes that end up in keys and names.
bool plain_name(const std::string& s, std::size_t max_len);
CLI::Validator plain_name_check(std::size_t max_len);

// A duration flag bound to `target`; its default shown in --help is the value `target` holds.
CLI::Option* add_duration_option(CLI::App& app, const std::string& name, util::Duration& target,
                                 const std::string& description, bool positive = false);
CLI::Option* add_duration_option(CLI::App& app, const std::string& name,
                                 std::optional<util::Duration>& target,
                                 const std::string& description);

}  // namespace cli
