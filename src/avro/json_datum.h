#pragma once
// Datum <-> JSON, driven by the schema. Two styles:
//  - kDefault: field "default" values (bare union values: first branch that fits; bytes/fixed as
//    strings of code points 0..255).
//  - kTagged: the Avro JSON encoding (non-null union values wrapped as {"type name": value}).
//    Non-finite floats are the strings "NaN", "Infinity", "-Infinity".
// nlohmann::ordered_json keeps map entry order, so JSON -> datum -> bytes is deterministic.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "avro/datum.h"
#include "avro/schema.h"

namespace avro {

enum class JsonStyle { kDefault, kTagged };

// Converts `json` to a datum of type `node`; on mismatch returns nullopt and sets `error`.
std::optional<Datum> datum_from_json(const Node& node, const nlohmann::ordered_json& json,
                                     JsonStyle style, std::string& error);
// The same from std::map objects (schema defaults): map entries come out in key order.
std::optional<Datum> datum_from_json(const Node& node, const nlohmann::json& json, JsonStyle style,
                                     std::string& error);

// Renders `datum` (which must match `node`) in the Avro JSON encoding (kTagged).
nlohmann::ordered_json datum_to_json(const Node& node, const Datum& datum);

}  // namespace avro
