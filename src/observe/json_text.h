#pragma once
// JSON for the HTTP pages: never throws on untrusted bytes, and safe to sniff as HTML.
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace observe {

// Compact; invalid UTF-8 becomes U+FFFD; '<', '>' and '&' are written as \u003c, \u003e, \u0026
// (they can only occur inside strings), so no text in it can open or close a tag if a browser
// ever treats the body as HTML.
std::string dump_json(const nlohmann::json& j);

}  // namespace observe
