// libFuzzer target for the schema parser: arbitrary text either parses or throws SchemaError
// (nothing else escapes, nothing crashes), and Parsing Canonical Form is a fixed point:
// parse(canonical(s)) has the same canonical form and fingerprint.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "avro/canonical.h"
#include "avro/schema.h"

namespace {

// Canonical form writes full names, and a nested name without a dot re-parses into the
// enclosing namespace: a spec limitation for types in the null namespace nested inside a
// namespaced one. Such schemas are skipped for the fixed-point check.
bool mixes_null_namespace(const avro::Node& n, bool in_namespace,
                          std::set<const avro::Node*>& seen) {
  if (!seen.insert(&n).second) return false;
  if (n.is_named()) {
    const bool has_ns = n.fullname.find('.') != std::string::npos;
    if (!has_ns && in_namespace) return true;
    in_namespace = has_ns;
  }
  for (const auto& f : n.fields) {
    if (mixes_null_namespace(*f.type, in_namespace, seen)) return true;
  }
  for (const auto* b : n.branches) {
    if (mixes_null_namespace(*b, in_namespace, seen)) return true;
  }
  return n.items && mixes_null_namespace(*n.items, in_namespace, seen);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string canonical;
  try {
    const auto schema = avro::Schema::parse(text);
    canonical = avro::canonical_form(schema);
    std::set<const avro::Node*> seen;
    if (mixes_null_namespace(schema.root(), false, seen)) return 0;
  } catch (const avro::SchemaError&) {
    return 0;
  }
  try {
    const auto again = avro::Schema::parse(canonical);
    if (avro::canonical_form(again) != canonical) std::abort();
  } catch (const avro::SchemaError&) {
    // Canonical form drops defaults, so a schema can only fail to re-parse if we emitted
    // something invalid.
    std::abort();
  }
  return 0;
}
