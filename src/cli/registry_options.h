#pragma once
// The schema registry flags shared by produce, consume, dlq and dlq replay.
#include <CLI/CLI.hpp>

#include "registry/options.h"

namespace cli {

// --schema-registry, --schema-registry-property, --schema-registry-config, --subject-strategy.
void add_registry_options(CLI::App& app, registry::Options& options);

}  // namespace cli
