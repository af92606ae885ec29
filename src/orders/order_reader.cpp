#include "orders/order_reader.h"

#include <fmt/format.h>

#include <unordered_set>
#include <vector>

#include "avro/canonical.h"
#include "avro/resolver.h"
#include "orders/order_codec.h"
#include "orders/order_schema.h"
#include "util/bounded_text.h"

namespace orders {

struct OrderReader::Writer {
  bool fast = false;  // same canonical form as the reader: the Order fast path reads it
  std::unique_ptr<avro::SchemaResolution> resolution;
  std::uint64_t fingerprint = 0;
  std::string error;  // non-empty: no value of this writer can be read (a dead letter each)
  std::size_t cost = sizeof(Writer);  // estimated bytes, for the caches' bounds
};

namespace {

ReadResult failed(std::string reason, const avro::Framed& f) {
  return {ReadResult::Kind::failed, std::move(reason), f};
}

// The resolved datum is shaped by the reader schema: orderId, product, price in that order.
bool to_order(avro::Datum&& datum, Order& out) {
  auto* record = std::get_if<avro::Record>(&datum.value());
  if (!record || record->fields.size() != 3) return false;
  auto* id = std::get_if<std::string>(&record->fields[0].value());
  auto* product = std::get_if<std::string>(&record->fields[1].value());
  auto* price = std::get_if<float>(&record->fields[2].value());
  if (!id || !product || !price) return false;
  out.order_id = std::move(*id);
  out.product = std::move(*product);
  out.price = *price;
  return true;
}

// What a parsed writer and its resolution plans hold, roughly: every node and field (twice:
// the schema and the plans that mirror it), their names and symbols, and the text's size for
// what else scales with it. An estimate for the cache's byte bound, not an accounting.
std::size_t estimated_bytes(const avro::Schema& schema, std::size_t text_size) {
  std::unordered_set<const avro::Node*> seen;
  std::vector<const avro::Node*> todo{&schema.root()};
  std::size_t bytes = text_size;
  while (!todo.empty()) {
    const avro::Node* n = todo.back();
    todo.pop_back();
    if (!n || !seen.insert(n).second) continue;
    bytes += 2 * sizeof(avro::Node) + n->name.size() + n->fullname.size();
    for (const auto& f : n->fields) {
      bytes += 2 * sizeof(avro::Field) + f.name.size();
      todo.push_back(f.type);
    }
    for (const auto& sym : n->symbols) bytes += sizeof(std::string) + sym.size();
    for (const auto* b : n->branches) todo.push_back(b);
    todo.push_back(n->items);
  }
  return bytes;
}

}  // namespace

OrderReader::OrderReader(SchemaSource* source, SchemaLimits limits,
                         std::function<Clock::time_point()> now)
    : source_(source),
      now_(std::move(now)),
      reader_(avro::Schema::parse(kOrderSchemaJson)),
      reader_fingerprint_(avro::fingerprint64(reader_)),
      max_reason_bytes_(limits.max_reason_bytes),
      by_id_(limits.known),
      missing_(limits.missing),
      by_fingerprint_(limits.known),
      lookup_tokens_(limits.lookups_per_second, limits.lookup_burst),
      lookups_per_second_(limits.lookups_per_second) {
  auto w = std::make_shared<Writer>();
  w->fast = true;
  w->fingerprint = reader_fingerprint_;
  reader_writer_ = std::move(w);
}

OrderReader::~OrderReader() = default;

OrderReader::WriterPtr OrderReader::make_writer(std::string_view text) const {
  auto w = std::make_shared<Writer>();
  try {
    const auto schema = avro::Schema::parse(text);
    w->cost = sizeof(Writer) + estimated_bytes(schema, text.size());
    w->fingerprint = avro::fingerprint64(schema);
    if (w->fingerprint == reader_fingerprint_ &&
        avro::canonical_form(schema) == avro::canonical_form(reader_)) {
      w->fast = true;
    } else {
      w->resolution = std::make_unique<avro::SchemaResolution>(schema, reader_);
    }
  } catch (const std::exception& e) {
    return error_writer(fmt::format("writer schema cannot be read as Order: {}", e.what()));
  }
  return w;
}

OrderReader::WriterPtr OrderReader::error_writer(std::string reason) const {
  auto w = std::make_shared<Writer>();
  w->error = util::bounded_text(reason, max_reason_bytes_);
  w->cost = sizeof(Writer) + w->error.size();
  return w;
}

const OrderReader::Writer* OrderReader::writer_for_id(std::uint32_t id, ReadResult& result) {
  // A run of records with one id skips the clock (a vDSO call costs as much as decoding the
  // Order on this machine) and the map; the memo is only set below, after any cache change.
  if (memo_ && id == memo_id_ && memo_reads_left_ > 0) {
    --memo_reads_left_;
    return memo_;
  }
  memo_ = nullptr;
  const auto now = now_();
  bool expired = false;
  if (const WriterPtr* hit = by_id_.find(id, now, &expired)) return remember(id, hit->get());
  if (const WriterPtr* miss = missing_.find(id, now)) return remember(id, miss->get());
  // A known id whose entry expired is asked again at once; any other id spends a token, so
  // records with random ids cannot turn the consume loop into a registry client.
  if (!expired && !lookup_tokens_.take(now)) {
    ++rate_limited_;
    result.kind = ReadResult::Kind::later;
    result.reason = fmt::format(
        "schema id {}: not looked up yet (more than {} lookups/s of unknown schema ids; "
        "schema.registry.lookup.rate)",
        id, lookups_per_second_);
    return nullptr;
  }
  return ask_source(id, now, result);
}

const OrderReader::Writer* OrderReader::ask_source(std::uint32_t id, Clock::time_point now,
                                                   ReadResult& result) {
  ++lookups_;
  auto answer = source_->by_id(id);
  if (auto* later = std::get_if<SchemaUnavailable>(&answer)) {
    result.kind = ReadResult::Kind::later;
    result.reason =
        util::bounded_text(fmt::format("schema id {}: registry unavailable: {}", id, later->reason),
                           max_reason_bytes_);
    return nullptr;
  }
  WriterPtr w;
  if (auto* found = std::get_if<SchemaFound>(&answer)) {
    w = make_writer(found->text);
    if (w->error.empty() && w->cost > by_id_.limits().max_bytes) {
      w = error_writer(
          fmt::format("schema id {}: writer schema too large to keep (about {} bytes parsed > "
                      "schema.registry.cache.max.bytes {})",
                      id, w->cost, by_id_.limits().max_bytes));
    }
    if (w->error.empty()) {
      const auto cost = w->cost;
      by_fingerprint_.put(w->fingerprint, w, now, cost);
      return remember(id, by_id_.put(id, std::move(w), now, cost).get());
    }
  } else if (auto* unknown = std::get_if<SchemaUnknown>(&answer)) {
    w = error_writer(fmt::format("schema id {} unknown to the registry: {}", id, unknown->reason));
  } else {
    w = error_writer(fmt::format("schema id {}: {}", id, std::get<SchemaRefused>(answer).reason));
  }
  // Cached briefly and apart: a flood of records with one unknown id asks once per
  // missing ttl, and evicts only other missing ids.
  const auto cost = w->cost;
  return remember(id, missing_.put(id, std::move(w), now, cost).get());
}

const OrderReader::Writer* OrderReader::remember(std::uint32_t id, const Writer* w) {
  memo_id_ = id;
  memo_ = w;
  memo_reads_left_ = kClockEvery - 1;
  return w;
}

ReadResult OrderReader::read_with(const Writer& w, const avro::Framed& f, Order& out) const {
  if (!w.error.empty()) return failed(w.error, f);
  if (w.fast) {
    if (auto err = decode_order(f.payload, out)) {
      return failed("invalid Avro Order: " + err->message(), f);
    }
    return {ReadResult::Kind::read, {}, f};
  }
  avro::Datum datum;
  if (auto err = w.resolution->decode(f.payload, datum)) {
    return failed("invalid Avro Order: " + err->message(), f);
  }
  if (!to_order(std::move(datum), out)) return failed("resolved value is not an Order", f);
  return {ReadResult::Kind::read, {}, f};
}

ReadResult OrderReader::read(std::string_view value, Order& out) {
  const avro::Framed f = avro::detect_framing(value);
  switch (f.framing) {
    case avro::Framing::raw:
      return read_with(*reader_writer_, f, out);
    case avro::Framing::confluent: {
      if (!source_) {
        // Without a registry the topic is taken as the original's: a raw Order may start with
        // 0x00 (an empty orderId, which validation then refuses).
        avro::Framed as_raw = f;
        as_raw.framing = avro::Framing::raw;
        as_raw.payload = value;
        auto result = read_with(*reader_writer_, as_raw, out);
        if (result.kind == ReadResult::Kind::failed) {
          result.framed = f;
          result.reason =
              fmt::format("{} (or Confluent-framed, schema id {}: needs --schema-registry)",
                          result.reason, f.schema_id);
        }
        return result;
      }
      ReadResult result{ReadResult::Kind::read, {}, f};
      const Writer* w = writer_for_id(f.schema_id, result);
      if (!w) return result;
      return read_with(*w, f, out);
    }
    case avro::Framing::single_object: {
      if (f.fingerprint == reader_fingerprint_) return read_with(*reader_writer_, f, out);
      // Renewed on use: a stream of single-object records of a schema fetched once by id stays
      // readable (a fingerprint cannot come to mean another schema; an id could, in a new
      // registry).
      if (const WriterPtr* w = by_fingerprint_.find_and_renew(f.fingerprint, now_())) {
        return read_with(**w, f, out);
      }
      return failed(fmt::format("single-object fingerprint {:016x} is not a known writer schema",
                                f.fingerprint),
                    f);
    }
  }
  return failed("unknown framing", f);
}

}  // namespace orders
