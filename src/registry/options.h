#pragma once
// What the --schema-registry flags of produce, consume, dlq and dlq replay say, before it is
// checked (registry::make_settings turns it into Settings or a usage error).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "registry/settings.h"

namespace registry {

struct Options {
  std::optional<std::string> url;          // --schema-registry; absent: no registry
  std::vector<std::string> properties;     // --schema-registry-property KEY=VALUE
  std::optional<std::string> config_file;  // --schema-registry-config FILE (KEY=VALUE lines)
  SubjectStrategy strategy = SubjectStrategy::topic;
  bool auto_register = true;  // produce only; --no-auto-register: look the schema up only
};

// Settings from the flags; nullopt without --schema-registry. Throws util::UsageError (exit 2)
// for a bad URL, an unknown or bad property, an unreadable file, or properties without URL.
std::optional<Settings> make_settings(const Options& o);

}  // namespace registry
