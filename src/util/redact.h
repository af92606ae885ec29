#pragma once
// A process-wide list of secret strings (config values that must never be shown) and a scrubber
// that every output path runs text through: the logger's formatter applies it to each line, so a
// secret that reaches a message by an unforeseen way (librdkafka's own error text, an exception)
// is still replaced by "******".
#include <string>
#include <string_view>

namespace util {

inline constexpr std::string_view kMasked = "******";
// Shorter strings are not scrubbed from free text: "1" or "all" would mangle every line. Values
// that short are still never formatted on purpose (see kafka::describe and kafka::build_conf).
inline constexpr std::size_t kMinScrubbed = 4;

// Registers `value` and the parts of it a message may quote alone: the values of the
// `name=value` / `name="value"` items in it (separated by whitespace, ';' or ','). Thread-safe.
void add_secret(std::string_view value);
// `text` with every registered secret replaced by kMasked. Thread-safe.
std::string scrub(std::string_view text);
// Replaces every occurrence of `secret` (any length) in `text`.
std::string scrub_one(std::string_view text, std::string_view secret);
// For tests.
void clear_secrets();

}  // namespace util
