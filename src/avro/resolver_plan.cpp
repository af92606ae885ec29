// Builds the resolution plan: which writer field feeds which reader field, promotions, enum
// symbol maps, union branches, and which plans fail for every datum (resolver_plan.h).
#include "avro/resolver_plan.h"

namespace avro {
namespace {

using Plan = SchemaResolution::Plan;
using Kind = Plan::Kind;

std::string display(const Node& n) {
  return n.is_named() ? n.fullname : std::string(type_name(n.type));
}

std::string unqualified(const std::string& name) {
  return name.substr(name.rfind('.') + 1);
}

// Named types match on unqualified name (spec), or when a reader alias names the writer type.
bool names_match(const Node& w, const Node& r) {
  if (w.name == r.name) return true;
  for (const auto& alias : r.aliases) {
    if (alias == w.fullname || unqualified(alias) == w.name) return true;
  }
  return false;
}

bool promotable(Type w, Type r) {
  switch (w) {
    case Type::kInt:
      return r == Type::kLong || r == Type::kFloat || r == Type::kDouble;
    case Type::kLong:
      return r == Type::kFloat || r == Type::kDouble;
    case Type::kFloat:
      return r == Type::kDouble;
    case Type::kString:
      return r == Type::kBytes;
    case Type::kBytes:
      return r == Type::kString;
    default:
      return false;
  }
}

bool is_primitive(Type t) {
  return t != Type::kRecord && t != Type::kEnum && t != Type::kFixed && t != Type::kArray &&
         t != Type::kMap && t != Type::kUnion;
}

// Same type (and name, for named types): the reader-union branch to prefer.
bool matches_exactly(const Node& w, const Node& r) {
  if (w.type != r.type) return false;
  if (w.is_named()) return names_match(w, r) && (w.type != Type::kFixed || w.size == r.size);
  return true;
}

class PlanBuilder {
 public:
  explicit PlanBuilder(SchemaResolution::Plans& plans) : plans_(plans) {}

  const Plan* plan(const Node& w, const Node& r) {
    auto key = std::make_pair(&w, &r);
    if (auto it = plans_.by_pair.find(key); it != plans_.by_pair.end()) return it->second.get();
    // Registered before filling in, so recursive types find their own (in-progress) plan.
    auto owned = std::make_unique<Plan>();
    Plan* p = owned.get();
    plans_.by_pair.emplace(key, std::move(owned));
    p->writer = &w;
    p->reader = &r;
    fill(*p, w, r);
    return p;
  }

 private:
  void error(Plan& p, std::string message) {
    p.kind = Kind::kError;
    p.error = std::move(message);
  }

  void fill(Plan& p, const Node& w, const Node& r) {
    if (w.type == Type::kUnion) {
      p.kind = Kind::kWriterUnion;
      for (const Node* b : w.branches) p.branches.push_back(plan(*b, r));
      return;
    }
    if (r.type == Type::kUnion) return fill_reader_union(p, w, r);
    if (is_primitive(w.type) && w.type == r.type) {
      p.kind = Kind::kSame;
      return;
    }
    if (promotable(w.type, r.type)) {
      p.kind = Kind::kPromote;
      return;
    }
    if (w.type != r.type) {
      return error(p, "writer " + display(w) + " cannot be read as " + display(r));
    }
    switch (w.type) {
      case Type::kRecord:
        return fill_record(p, w, r);
      case Type::kEnum:
        return fill_enum(p, w, r);
      case Type::kFixed:
        if (!names_match(w, r) || w.size != r.size) {
          return error(p, "fixed " + w.fullname + " does not match " + r.fullname);
        }
        p.kind = Kind::kFixed;
        return;
      case Type::kArray:
        p.kind = Kind::kArray;
        p.items = plan(*w.items, *r.items);
        return;
      case Type::kMap:
        p.kind = Kind::kMap;
        p.items = plan(*w.items, *r.items);
        return;
      default:
        return error(p, "unsupported resolution");
    }
  }

  void fill_reader_union(Plan& p, const Node& w, const Node& r) {
    std::optional<std::size_t> choice;
    for (std::size_t i = 0; i < r.branches.size() && !choice; ++i) {
      if (matches_exactly(w, *r.branches[i])) choice = i;
    }
    for (std::size_t i = 0; i < r.branches.size() && !choice; ++i) {
      const Node& b = *r.branches[i];
      const bool same_kind = w.type == b.type && (!w.is_named() || names_match(w, b));
      if (same_kind || promotable(w.type, b.type)) choice = i;
    }
    if (!choice) return error(p, "writer " + display(w) + " matches no branch of the reader union");
    p.kind = Kind::kReaderUnion;
    p.reader_branch = *choice;
    p.inner = plan(w, *r.branches[*choice]);
  }

  void fill_record(Plan& p, const Node& w, const Node& r) {
    if (!names_match(w, r)) {
      return error(p, "record " + w.fullname + " does not match " + r.fullname);
    }
    p.kind = Kind::kRecord;
    std::vector<bool> reader_filled(r.fields.size(), false);
    for (std::size_t wi = 0; wi < w.fields.size(); ++wi) {
      Plan::FieldStep step{wi};
      for (std::size_t ri = 0; ri < r.fields.size(); ++ri) {
        const Field& rf = r.fields[ri];
        bool match = rf.name == w.fields[wi].name;
        for (const auto& alias : rf.aliases) match = match || alias == w.fields[wi].name;
        if (match && !reader_filled[ri]) {
          reader_filled[ri] = true;
          step.reader_index = ri;
          step.plan = plan(*w.fields[wi].type, *rf.type);
          break;
        }
      }
      p.fields.push_back(step);
    }
    for (std::size_t ri = 0; ri < r.fields.size(); ++ri) {
      if (reader_filled[ri]) continue;
      if (!r.fields[ri].default_value) {
        return error(p, "reader field \"" + r.fields[ri].name + "\" of " + r.fullname +
                            " is not written and has no default");
      }
      p.defaults.emplace_back(ri, &*r.fields[ri].default_value);
    }
  }

  void fill_enum(Plan& p, const Node& w, const Node& r) {
    if (!names_match(w, r)) return error(p, "enum " + w.fullname + " does not match " + r.fullname);
    p.kind = Kind::kEnum;
    for (const auto& symbol : w.symbols) {
      std::optional<std::size_t> index = r.enum_default;
      for (std::size_t i = 0; i < r.symbols.size(); ++i) {
        if (r.symbols[i] == symbol) index = i;
      }
      p.symbol_map.push_back(index);
    }
  }

  SchemaResolution::Plans& plans_;
};

// Least fixed point of "always fails": an error, or a record with a field that always fails,
// or a writer union whose branches all fail, ... (cycles stay false).
void mark_fatal(SchemaResolution::Plans& plans) {
  for (auto& [key, p] : plans.by_pair) p->fatal = p->kind == Kind::kError;
  for (bool changed = true; changed;) {
    changed = false;
    for (auto& [key, p] : plans.by_pair) {
      if (p->fatal) continue;
      bool fatal = false;
      if (p->kind == Kind::kRecord) {
        for (const auto& f : p->fields) fatal = fatal || (f.plan && f.plan->fatal);
      } else if (p->kind == Kind::kReaderUnion) {
        fatal = p->inner->fatal;
      } else if (p->kind == Kind::kWriterUnion && !p->branches.empty()) {
        fatal = true;
        for (const Plan* b : p->branches) fatal = fatal && b->fatal;
      }
      if (fatal) {
        p->fatal = true;
        changed = true;
      }
    }
  }
}

// The first error below a fatal plan, for the exception message.
std::string first_error(const Plan& p, int depth = 0) {
  if (p.kind == Kind::kError || depth > 64) return p.error;
  if (p.kind == Kind::kReaderUnion) return first_error(*p.inner, depth + 1);
  for (const auto& f : p.fields) {
    if (f.plan && f.plan->fatal) {
      return "field \"" + p.writer->fields[f.writer_index].name +
             "\": " + first_error(*f.plan, depth + 1);
    }
  }
  for (const Plan* b : p.branches) {
    if (b->fatal) return first_error(*b, depth + 1);
  }
  return "incompatible schemas";
}

}  // namespace

const SchemaResolution::Plan* build_plan(SchemaResolution::Plans& plans, const Node& writer,
                                         const Node& reader) {
  const Plan* root = PlanBuilder(plans).plan(writer, reader);
  mark_fatal(plans);
  if (root->fatal) throw SchemaError("cannot resolve schemas: " + first_error(*root));
  return root;
}

}  // namespace avro
