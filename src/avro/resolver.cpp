#include "avro/resolver.h"

#include <map>
#include <utility>
#include <vector>

#include "avro/decoder_internal.h"
#include "avro/utf8.h"

namespace avro {

struct SchemaResolution::Plan {
  enum class Kind {
    kError,    // incompatible: fails when data reaches it
    kSame,     // identical primitive: decode as is
    kPromote,  // numeric widening or string <-> bytes
    kRecord,
    kEnum,
    kFixed,
    kArray,
    kMap,
    kWriterUnion,  // writer is a union: one plan per writer branch
    kReaderUnion,  // writer is not, reader is: read into one reader branch
  };
  struct FieldStep {
    std::size_t writer_index;
    const Plan* plan = nullptr;  // nullptr: writer-only field, decoded and dropped
    std::size_t reader_index = 0;
  };

  Kind kind = Kind::kError;
  const Node* writer = nullptr;
  const Node* reader = nullptr;
  std::string error;

  std::vector<FieldStep> fields;                               // record, writer order
  std::vector<std::pair<std::size_t, const Datum*>> defaults;  // record: reader-only fields
  std::vector<std::optional<std::size_t>> symbol_map;          // enum: writer -> reader index
  const Plan* items = nullptr;                                 // array items / map values
  std::vector<const Plan*> branches;                           // writer union
  std::size_t reader_branch = 0;                               // reader union
  const Plan* inner = nullptr;                                 // reader union
  bool fatal = false;  // every datum reaching this plan fails (checked at construction)
};

struct SchemaResolution::Plans {
  std::map<std::pair<const Node*, const Node*>, std::unique_ptr<Plan>> by_pair;
};

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

class ResolvingReader {
 public:
  explicit ResolvingReader(ByteReader& r) : r_(r) {}

  bool read(const Plan& p, Datum& out) {
    switch (p.kind) {
      case Kind::kError:
        return r_.fail(r_.offset(), "schema mismatch: " + p.error);
      case Kind::kSame:
      case Kind::kFixed:
        return detail::read_value(r_, *p.writer, out);
      case Kind::kPromote:
        return promote(p, out);
      case Kind::kRecord:
        return record(p, out);
      case Kind::kEnum:
        return enumeration(p, out);
      case Kind::kArray:
        return array(p, out);
      case Kind::kMap:
        return map(p, out);
      case Kind::kWriterUnion:
        return writer_union(p, out);
      case Kind::kReaderUnion: {
        if (!r_.enter()) return false;
        Union u;
        u.branch = p.reader_branch;
        if (!read(*p.inner, *u.value)) return false;
        r_.leave();
        out = std::move(u);
        return true;
      }
    }
    return r_.fail(r_.offset(), "unknown plan");
  }

 private:
  bool promote(const Plan& p, Datum& out) {
    const std::size_t at = r_.offset();
    Datum v;
    if (!detail::read_value(r_, *p.writer, v)) return false;
    const Type to = p.reader->type;
    if (auto* i = std::get_if<std::int32_t>(&v.value())) {
      if (to == Type::kLong) out = std::int64_t{*i};
      if (to == Type::kFloat) out = static_cast<float>(*i);
      if (to == Type::kDouble) out = static_cast<double>(*i);
    } else if (auto* l = std::get_if<std::int64_t>(&v.value())) {
      if (to == Type::kFloat) out = static_cast<float>(*l);
      if (to == Type::kDouble) out = static_cast<double>(*l);
    } else if (auto* f = std::get_if<float>(&v.value())) {
      out = static_cast<double>(*f);
    } else if (auto* s = std::get_if<std::string>(&v.value())) {
      out = Bytes{std::move(*s)};
    } else if (auto* b = std::get_if<Bytes>(&v.value())) {
      if (!is_valid_utf8(b->data)) return r_.fail(at, "bytes read as string are not UTF-8");
      out = std::move(b->data);
    }
    return true;
  }

  bool record(const Plan& p, Datum& out) {
    if (!r_.enter()) return false;
    Record rec;
    rec.fields.resize(p.reader->fields.size());
    Datum skipped;
    for (const auto& step : p.fields) {
      if (step.plan) {
        if (!read(*step.plan, rec.fields[step.reader_index])) return false;
      } else if (!detail::read_value(r_, *p.writer->fields[step.writer_index].type, skipped)) {
        return false;
      }
    }
    for (const auto& [index, value] : p.defaults) rec.fields[index] = *value;
    r_.leave();
    out = std::move(rec);
    return true;
  }

  bool enumeration(const Plan& p, Datum& out) {
    const std::size_t at = r_.offset();
    Datum v;
    if (!detail::read_value(r_, *p.writer, v)) return false;
    const std::size_t index = v.as<EnumValue>().index;
    if (!p.symbol_map[index]) {
      return r_.fail(at, "symbol " + p.writer->symbols[index] + " is not in reader enum " +
                             p.reader->fullname + ", which has no default");
    }
    out = EnumValue{*p.symbol_map[index]};
    return true;
  }

  bool array(const Plan& p, Datum& out) {
    if (!r_.enter()) return false;
    Array arr;
    while (true) {
      std::int64_t count = 0;
      std::size_t block_end = 0;
      if (!r_.read_block_header(count, block_end, p.writer->items->may_be_empty)) return false;
      if (count == 0) break;
      arr.items.reserve(arr.items.size() + static_cast<std::size_t>(count));
      for (std::int64_t i = 0; i < count; ++i) {
        arr.items.emplace_back();
        if (!read(*p.items, arr.items.back())) return false;
      }
      if (!r_.check_block_end(block_end)) return false;
    }
    r_.leave();
    out = std::move(arr);
    return true;
  }

  bool map(const Plan& p, Datum& out) {
    if (!r_.enter()) return false;
    Map m;
    while (true) {
      std::int64_t count = 0;
      std::size_t block_end = 0;
      if (!r_.read_block_header(count, block_end, false)) return false;
      if (count == 0) break;
      m.entries.reserve(m.entries.size() + static_cast<std::size_t>(count));
      for (std::int64_t i = 0; i < count; ++i) {
        m.entries.emplace_back();
        if (!r_.read_bytes(m.entries.back().first, true, "map key")) return false;
        if (!read(*p.items, m.entries.back().second)) return false;
      }
      if (!r_.check_block_end(block_end)) return false;
    }
    r_.leave();
    out = std::move(m);
    return true;
  }

  bool writer_union(const Plan& p, Datum& out) {
    const std::size_t at = r_.offset();
    std::int32_t index = 0;
    if (!r_.read_int(index, "union index")) return false;
    if (index < 0 || static_cast<std::size_t>(index) >= p.branches.size()) {
      return r_.fail(at, "union index " + std::to_string(index) + " out of range (" +
                             std::to_string(p.branches.size()) + " branches)");
    }
    if (!r_.enter()) return false;
    if (!read(*p.branches[static_cast<std::size_t>(index)], out)) return false;
    r_.leave();
    return true;
  }

  ByteReader& r_;
};

}  // namespace

SchemaResolution::SchemaResolution(const Schema& writer, const Schema& reader)
    : writer_(writer), reader_(reader) {
  auto plans = std::make_shared<Plans>();
  root_ = PlanBuilder(*plans).plan(writer_.root(), reader_.root());
  mark_fatal(*plans);
  if (root_->fatal) throw SchemaError("cannot resolve schemas: " + first_error(*root_));
  plans_ = std::move(plans);
}

std::optional<DecodeError> SchemaResolution::decode(std::string_view bytes, Datum& out,
                                                    const DecodeOptions& options) const {
  ByteReader reader(bytes, options);
  if (ResolvingReader(reader).read(*root_, out)) reader.finish();
  return reader.error();
}

}  // namespace avro
