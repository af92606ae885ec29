#pragma once
// Making untrusted text safe to show: on a terminal, in a log line, in JSON meant for either.
// Order ids, products, header values and error messages come from whoever can write to a topic;
// shown raw, ESC sequences could rewrite the screen, a newline could forge a log line and bidi
// overrides could make text read differently from what it is.
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace util {

// Valid UTF-8 stays as is, except what moves the cursor, starts a line or reorders text: C0
// controls and DEL become \xNN; C1 controls, U+2028/U+2029 and the bidi marks and overrides
// (U+061C, U+200E/F, U+202A..E, U+2066..9) become \uNNNN; invalid bytes become \xNN. The result
// contains none of those, so escaping twice changes nothing. A backslash stays as is: this is for
// showing text, not for round-tripping it (the JSON outputs carry the exact text).
std::string printable(std::string_view bytes);

// Whether printable() escapes this code point.
bool escaped_code_point(char32_t cp);

// JSON for stdout or a log: one line, compact, every non-ASCII character as a \uXXXX escape (no
// raw control or bidi character reaches a terminal; JSON readers get the exact text back), and
// invalid UTF-8 replaced by U+FFFD instead of throwing.
std::string json_line(const nlohmann::json& j);

}  // namespace util
