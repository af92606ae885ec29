#include "orders/order_reader.h"

#include <fmt/format.h>

#include "avro/canonical.h"
#include "avro/resolver.h"
#include "orders/order_codec.h"
#include "orders/order_schema.h"

namespace orders {

struct OrderReader::Writer {
  bool fast = false;  // same canonical form as the reader: the Order fast path reads it
  std::unique_ptr<avro::SchemaResolution> resolution;
  std::uint64_t fingerprint = 0;
  std::string error;  // non-empty: no value of this writer can be read (a dead letter each)
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

}  // namespace

OrderReader::OrderReader(SchemaSource* source, CacheLimits limits,
                         std::function<Clock::time_point()> now)
    : source_(source),
      now_(std::move(now)),
      reader_(avro::Schema::parse(kOrderSchemaJson)),
      reader_fingerprint_(avro::fingerprint64(reader_)),
      by_id_(limits),
      by_fingerprint_(limits) {
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
    w->fingerprint = avro::fingerprint64(schema);
    if (w->fingerprint == reader_fingerprint_ &&
        avro::canonical_form(schema) == avro::canonical_form(reader_)) {
      w->fast = true;
    } else {
      w->resolution = std::make_unique<avro::SchemaResolution>(schema, reader_);
    }
  } catch (const std::exception& e) {
    w->error = fmt::format("writer schema cannot be read as Order: {}", e.what());
  }
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
  if (const WriterPtr* hit = by_id_.find(id, now)) return remember(id, hit->get());
  ++lookups_;
  auto answer = source_->by_id(id);
  if (auto* later = std::get_if<SchemaUnavailable>(&answer)) {
    result.kind = ReadResult::Kind::later;
    result.reason = fmt::format("schema id {}: registry unavailable: {}", id, later->reason);
    return nullptr;
  }
  WriterPtr w;
  if (auto* found = std::get_if<SchemaFound>(&answer)) {
    w = make_writer(found->text);
    if (w->error.empty()) by_fingerprint_.put(w->fingerprint, w, now);
  } else {
    // Cached too, so a flood of records with an unknown id asks the registry once per ttl.
    auto unknown = std::make_shared<Writer>();
    unknown->error = fmt::format("schema id {} unknown to the registry: {}", id,
                                 std::get<SchemaUnknown>(answer).reason);
    w = std::move(unknown);
  }
  return remember(id, by_id_.put(id, std::move(w), now).get());
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
