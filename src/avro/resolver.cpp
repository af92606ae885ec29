#include "avro/resolver.h"

#include <utility>

#include "avro/decoder_internal.h"
#include "avro/resolver_plan.h"
#include "avro/utf8.h"

namespace avro {
namespace {

using Plan = SchemaResolution::Plan;
using Kind = Plan::Kind;

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
    if (p.writer->fields.empty() && !r_.charge_zero_size()) return false;
    Record rec;
    rec.fields.resize(p.reader->fields.size());
    for (const auto& step : p.fields) {
      if (step.plan) {
        if (!read(*step.plan, rec.fields[step.reader_index])) return false;
      } else if (!detail::skip_value(r_, *p.writer->fields[step.writer_index].type)) {
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
    std::size_t index = 0;
    if (!detail::read_enum_index(r_, *p.writer, index)) return false;
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
    const std::size_t min_item = detail::min_encoded_size(*p.writer->items);
    while (true) {
      std::int64_t count = 0;
      std::size_t block_end = 0;
      if (!r_.read_block_header(count, block_end, min_item)) return false;
      if (count == 0) break;
      detail::reserve_block(arr.items, count);
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
    const std::size_t min_entry = 1 + detail::min_encoded_size(*p.writer->items);
    while (true) {
      std::int64_t count = 0;
      std::size_t block_end = 0;
      if (!r_.read_block_header(count, block_end, min_entry)) return false;
      if (count == 0) break;
      detail::reserve_block(m.entries, count);
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
    std::size_t branch = 0;
    if (!detail::read_union_index(r_, p.branches.size(), branch)) return false;
    if (!r_.enter()) return false;
    if (!read(*p.branches[branch], out)) return false;
    r_.leave();
    return true;
  }

  ByteReader& r_;
};

}  // namespace

SchemaResolution::SchemaResolution(const Schema& writer, const Schema& reader)
    : writer_(writer), reader_(reader) {
  auto plans = std::make_shared<Plans>();
  root_ = build_plan(*plans, writer_.root(), reader_.root());
  plans_ = std::move(plans);
}

std::optional<DecodeError> SchemaResolution::decode(std::string_view bytes, Datum& out,
                                                    const DecodeOptions& options) const {
  ByteReader reader(bytes, options);
  if (ResolvingReader(reader).read(*root_, out)) reader.finish();
  return reader.error();
}

}  // namespace avro
