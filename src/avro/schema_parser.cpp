// Schema JSON -> Node graph: names and namespaces, references, logical types, field defaults.
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "avro/json_bounds.h"
#include "avro/json_datum.h"
#include "avro/schema.h"
#include "avro/schema_store.h"
#include "util/bounded_text.h"

namespace avro {

// std::map objects: a lookup is O(log n) (ordered_json's is a linear scan, so an object with
// many keys parsed in quadratic time). Nothing here depends on key order: fields, symbols and
// union branches are arrays; a map-typed default's entries come out in key order.
using Json = nlohmann::json;

namespace {

constexpr int kMaxSchemaDepth = 128;
// JSON levels (a record level is three: object, "fields" array, field object), checked on the
// text before anything is built.
constexpr int kMaxJsonNesting = 4 * kMaxSchemaDepth;
// Error messages quote names and excerpts; a 1 MiB name must not make a 1 MiB message.
constexpr std::size_t kMaxMessage = 500;

std::string excerpt(const Json& j) {
  return json_excerpt(j, 120);
}

const std::map<std::string, Type, std::less<>>& primitives() {
  static const std::map<std::string, Type, std::less<>> kPrimitives = {
      {"null", Type::kNull},   {"boolean", Type::kBoolean}, {"int", Type::kInt},
      {"long", Type::kLong},   {"float", Type::kFloat},     {"double", Type::kDouble},
      {"bytes", Type::kBytes}, {"string", Type::kString},
  };
  return kPrimitives;
}

bool is_valid_name_part(std::string_view s) {
  if (s.empty()) return false;
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!alpha(s[0])) return false;
  for (char c : s) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool is_valid_fullname(std::string_view s) {
  std::size_t start = 0;
  while (true) {
    std::size_t dot = s.find('.', start);
    if (!is_valid_name_part(s.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::string qualify(const std::string& name, const std::string& ns) {
  if (name.find('.') != std::string::npos || ns.empty()) return name;
  return ns + "." + name;
}

std::string namespace_of(const std::string& fullname) {
  auto dot = fullname.rfind('.');
  return dot == std::string::npos ? std::string() : fullname.substr(0, dot);
}

// Largest number of decimal digits a two's-complement value of `size` bytes always holds.
int max_decimal_precision(std::size_t size) {
  if (size == 0) return 0;
  if (size > 64) return 1 << 20;  // beyond any real use; avoids floating overflow
  return static_cast<int>(std::floor(static_cast<long double>(8 * size - 1) * std::log10(2.0L)));
}

}  // namespace

class SchemaBuilder {
 public:
  Schema build(std::string_view text) {
    if (json_nesting(text, kMaxJsonNesting + 1) > kMaxJsonNesting) {
      fail("schema JSON nested deeper than " + std::to_string(kMaxJsonNesting) + " levels");
    }
    Json json;
    try {
      json = Json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      throw SchemaError(std::string("schema is not valid JSON: ") + e.what());
    }
    const Node* root = parse(json, "", 0);
    resolve_defaults();
    compute_may_be_empty();
    return Schema(std::move(store_), root);
  }

 private:
  [[noreturn]] static void fail(const std::string& msg) {
    throw SchemaError(util::bounded_text(msg, kMaxMessage));
  }

  Node* make(Type t) {
    store_->nodes.push_back(std::make_unique<Node>());
    Node* n = store_->nodes.back().get();
    n->type = t;
    return n;
  }

  const Node* parse(const Json& j, const std::string& ns, int depth) {
    if (depth > kMaxSchemaDepth) {
      fail("schema nested deeper than " + std::to_string(kMaxSchemaDepth));
    }
    if (j.is_string()) return parse_name(j.get<std::string>(), ns);
    if (j.is_array()) return parse_union(j, ns, depth);
    if (j.is_object()) return parse_object(j, ns, depth);
    fail("schema must be a string, object or array, got " + excerpt(j));
  }

  const Node* parse_name(const std::string& name, const std::string& ns) {
    if (auto it = primitives().find(name); it != primitives().end()) return make(it->second);
    if (auto it = named_.find(qualify(name, ns)); it != named_.end()) return it->second;
    if (auto it = named_.find(name); it != named_.end()) return it->second;  // null namespace
    fail("unknown type name \"" + name + "\"" + (ns.empty() ? "" : " (namespace " + ns + ")"));
  }

  const Node* parse_union(const Json& j, const std::string& ns, int depth) {
    Node* u = make(Type::kUnion);
    std::set<std::string> seen;
    for (const auto& b : j) {
      const Node* branch = parse(b, ns, depth + 1);
      if (branch->type == Type::kUnion) fail("union may not immediately contain a union");
      std::string key =
          branch->is_named() ? branch->fullname : std::string(type_name(branch->type));
      if (!seen.insert(key).second) fail("union contains \"" + key + "\" twice");
      u->branches.push_back(branch);
    }
    return u;
  }

  const Node* parse_object(const Json& j, const std::string& ns, int depth) {
    auto t = j.find("type");
    if (t == j.end()) fail("schema object without \"type\": " + excerpt(j));
    if (!t->is_string()) fail("\"type\" must be a type name in " + excerpt(j));
    const auto type = t->get<std::string>();
    Node* n = nullptr;
    if (auto it = primitives().find(type); it != primitives().end()) {
      n = make(it->second);
    } else if (type == "record" || type == "error") {
      return parse_record(j, ns, depth);
    } else if (type == "enum") {
      n = parse_enum(j, ns);
    } else if (type == "fixed") {
      n = parse_fixed(j, ns);
    } else if (type == "array") {
      n = make(Type::kArray);
      n->items = parse(required(j, "items"), ns, depth + 1);
    } else if (type == "map") {
      n = make(Type::kMap);
      n->items = parse(required(j, "values"), ns, depth + 1);
    } else {
      return parse_name(type, ns);  // {"type": "SomeNamedType"}
    }
    apply_logical_type(*n, j);
    return n;
  }

  static const Json& required(const Json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end()) fail(std::string("missing \"") + key + "\" in " + excerpt(j));
    return *it;
  }

  // Sets name/fullname/aliases and registers the type; returns the namespace for nested types.
  std::string define_name(Node& n, const Json& j, const std::string& enclosing_ns) {
    const Json& name_json = required(j, "name");
    if (!name_json.is_string()) fail("\"name\" must be a string in " + excerpt(j));
    auto name = name_json.get<std::string>();
    std::string ns = enclosing_ns;
    if (auto it = j.find("namespace"); it != j.end() && name.find('.') == std::string::npos) {
      if (it->is_null()) {
        ns.clear();
      } else if (it->is_string()) {
        ns = it->get<std::string>();
      } else {
        fail("\"namespace\" must be a string in " + excerpt(j));
      }
    }
    if (!ns.empty() && !is_valid_fullname(ns)) fail("invalid namespace \"" + ns + "\"");
    n.fullname = qualify(name, ns);
    if (!is_valid_fullname(n.fullname)) fail("invalid name \"" + name + "\"");
    n.name = n.fullname.substr(n.fullname.rfind('.') + 1);
    if (primitives().count(n.name)) fail("a named type may not be called \"" + n.name + "\"");
    const std::string own_ns = namespace_of(n.fullname);
    n.aliases = parse_aliases(j, own_ns);
    if (!named_.emplace(n.fullname, &n).second) fail("type \"" + n.fullname + "\" defined twice");
    return own_ns;
  }

  static std::vector<std::string> parse_aliases(const Json& j, const std::string& ns) {
    std::vector<std::string> out;
    auto it = j.find("aliases");
    if (it == j.end()) return out;
    if (!it->is_array()) fail("\"aliases\" must be an array in " + excerpt(j));
    for (const auto& a : *it) {
      if (!a.is_string() || !is_valid_fullname(a.get<std::string>())) {
        fail("invalid alias " + excerpt(a));
      }
      out.push_back(qualify(a.get<std::string>(), ns));
    }
    return out;
  }

  const Node* parse_record(const Json& j, const std::string& ns, int depth) {
    Node* n = make(Type::kRecord);
    const std::string own_ns = define_name(*n, j, ns);  // before fields: they may refer to it
    const Json& fields = required(j, "fields");
    if (!fields.is_array()) fail("\"fields\" must be an array in record " + n->fullname);
    std::set<std::string> seen;
    for (const auto& fj : fields) {
      if (!fj.is_object()) fail("field must be an object in record " + n->fullname);
      const Json& fname = required(fj, "name");
      if (!fname.is_string() || !is_valid_name_part(fname.get<std::string>())) {
        fail("invalid field name " + excerpt(fname) + " in record " + n->fullname);
      }
      Field f;
      f.name = fname.get<std::string>();
      if (!seen.insert(f.name).second) fail("duplicate field \"" + f.name + "\" in " + n->fullname);
      f.type = parse(required(fj, "type"), own_ns, depth + 1);
      if (auto it = fj.find("aliases"); it != fj.end()) {
        if (!it->is_array()) fail("field aliases must be an array in " + n->fullname);
        for (const auto& a : *it) {
          if (!a.is_string()) fail("field alias must be a string in " + n->fullname);
          f.aliases.push_back(a.get<std::string>());
        }
      }
      n->fields.push_back(std::move(f));
    }
    // Defaults are typed once the whole graph exists (a default may hold a recursive record).
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (auto it = fields[i].find("default"); it != fields[i].end()) {
        pending_defaults_.push_back({n, i, &*it});
      }
    }
    return n;
  }

  Node* parse_enum(const Json& j, const std::string& ns) {
    Node* n = make(Type::kEnum);
    define_name(*n, j, ns);
    const Json& symbols = required(j, "symbols");
    if (!symbols.is_array()) fail("\"symbols\" must be an array in enum " + n->fullname);
    std::set<std::string> seen;
    for (const auto& s : symbols) {
      if (!s.is_string() || !is_valid_name_part(s.get<std::string>())) {
        fail("invalid enum symbol " + excerpt(s) + " in " + n->fullname);
      }
      if (!seen.insert(s.get<std::string>()).second) {
        fail("duplicate enum symbol " + excerpt(s) + " in " + n->fullname);
      }
      n->symbols.push_back(s.get<std::string>());
    }
    if (auto it = j.find("default"); it != j.end()) {
      bool found = false;
      for (std::size_t i = 0; it->is_string() && i < n->symbols.size(); ++i) {
        if (n->symbols[i] == it->get<std::string>()) {
          n->enum_default = i;
          found = true;
        }
      }
      if (!found) fail("enum default " + excerpt(*it) + " is not a symbol of " + n->fullname);
    }
    return n;
  }

  Node* parse_fixed(const Json& j, const std::string& ns) {
    Node* n = make(Type::kFixed);
    define_name(*n, j, ns);
    const Json& size = required(j, "size");
    if (!size.is_number_integer() || size.get<std::int64_t>() < 0 ||
        size.get<std::int64_t>() > (std::int64_t{1} << 31)) {
      fail("invalid fixed size " + excerpt(size) + " in " + n->fullname);
    }
    n->size = static_cast<std::size_t>(size.get<std::int64_t>());
    return n;
  }

  // Annotates `n` with its logicalType if the annotation is valid for it; otherwise the
  // schema falls back to the underlying type, as the spec requires.
  static void apply_logical_type(Node& n, const Json& j) {
    auto it = j.find("logicalType");
    if (it == j.end() || !it->is_string()) return;
    const auto lt = it->get<std::string>();
    const Type t = n.type;
    if (lt == "decimal") {
      if (t != Type::kBytes && t != Type::kFixed) return;
      auto p = j.find("precision");
      if (p == j.end() || !p->is_number_integer() || p->get<std::int64_t>() <= 0) return;
      std::int64_t scale = 0;
      if (auto s = j.find("scale"); s != j.end()) {
        if (!s->is_number_integer() || s->get<std::int64_t>() < 0) return;
        scale = s->get<std::int64_t>();
      }
      std::int64_t precision = p->get<std::int64_t>();
      if (scale > precision || precision > (1 << 20)) return;
      if (t == Type::kFixed && precision > max_decimal_precision(n.size)) return;
      n.logical = LogicalType::kDecimal;
      n.precision = static_cast<int>(precision);
      n.scale = static_cast<int>(scale);
      return;
    }
    struct Rule {
      const char* name;
      LogicalType logical;
      Type type;
    };
    static const Rule kRules[] = {
        {"uuid", LogicalType::kUuid, Type::kString},
        {"date", LogicalType::kDate, Type::kInt},
        {"time-millis", LogicalType::kTimeMillis, Type::kInt},
        {"time-micros", LogicalType::kTimeMicros, Type::kLong},
        {"timestamp-millis", LogicalType::kTimestampMillis, Type::kLong},
        {"timestamp-micros", LogicalType::kTimestampMicros, Type::kLong},
        {"local-timestamp-millis", LogicalType::kLocalTimestampMillis, Type::kLong},
        {"local-timestamp-micros", LogicalType::kLocalTimestampMicros, Type::kLong},
    };
    for (const auto& r : kRules) {
      if (lt == r.name && t == r.type) n.logical = r.logical;
    }
    if (t == Type::kFixed && lt == "uuid" && n.size == 16) n.logical = LogicalType::kUuid;
    if (t == Type::kFixed && lt == "duration" && n.size == 12) n.logical = LogicalType::kDuration;
  }

  void resolve_defaults() {
    for (auto& p : pending_defaults_) {
      Field& f = p.record->fields[p.index];
      std::string error;
      auto value = datum_from_json(*f.type, *p.json, JsonStyle::kDefault, error);
      if (!value) {
        fail("invalid default for field \"" + f.name + "\" of " + p.record->fullname + ": " +
             error);
      }
      f.default_value = std::move(*value);
    }
  }

  // Least fixed point: a record is empty-able only if all its fields are (cycles stay false).
  // A worklist over "field of" edges: linear, where rescanning until nothing changes was
  // quadratic in the number of records for a chain of them.
  void compute_may_be_empty() {
    std::map<const Node*, std::vector<Node*>> field_of;  // type -> records with a field of it
    std::map<const Node*, std::size_t> open;             // record -> fields not known empty
    std::vector<const Node*> empty;
    for (auto& n : store_->nodes) {
      n->may_be_empty = n->type == Type::kNull || (n->type == Type::kFixed && n->size == 0) ||
                        (n->type == Type::kRecord && n->fields.empty());
      if (n->may_be_empty) empty.push_back(n.get());
      if (n->type != Type::kRecord) continue;
      open[n.get()] = n->fields.size();
      for (const auto& f : n->fields) field_of[f.type].push_back(n.get());
    }
    while (!empty.empty()) {
      const Node* t = empty.back();
      empty.pop_back();
      auto users = field_of.find(t);
      if (users == field_of.end()) continue;
      for (Node* r : users->second) {
        if (--open[r] == 0 && !r->may_be_empty) {
          r->may_be_empty = true;
          empty.push_back(r);
        }
      }
    }
  }

  struct PendingDefault {
    Node* record;
    std::size_t index;
    const Json* json;  // in the document build() parsed, alive until build() returns
  };

  std::shared_ptr<Schema::Store> store_ = std::make_shared<Schema::Store>();
  std::map<std::string, Node*, std::less<>> named_;
  std::vector<PendingDefault> pending_defaults_;
};

Schema Schema::parse(std::string_view json_text) {
  return SchemaBuilder().build(json_text);
}

}  // namespace avro
