#pragma once
// The dashboard's files (src/observe/web/), embedded in the binary at build time (CMake
// generates their definitions): the pages work with no network beyond the binary itself.
#include <optional>
#include <string_view>

namespace observe {

struct Asset {
  std::string_view content_type;
  std::string_view body;
};

// By file name: "consumer.html", "app.js", ... Nullopt for anything else.
std::optional<Asset> find_asset(std::string_view name);

}  // namespace observe
