#pragma once
// Reads an Order from a record value in any of the three framings (avro/framing.h): raw values
// with the Order fast path, framed ones with their writer schema resolved against the reader
// schema (the project's own avro::SchemaResolution), so an Order written by an evolved schema
// (a field added with a default, a promoted type, a field removed) is read correctly.
//
// Writer schemas come from a SchemaSource (the schema registry client in the shell), by id,
// and are kept in a bounded, time-limited cache: there is no lookup per record. The answers:
//   read            the Order is in `out`
//   failed          the bytes cannot be read (unknown schema id or fingerprint, a writer schema
//                   the reader cannot resolve, bad Avro): a deserialization dead letter
//   later           the source could not answer now (registry down or slow): try again later;
//                   never a reason to dead-letter
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "avro/framing.h"
#include "avro/schema.h"
#include "orders/order.h"
#include "orders/schema_cache.h"

namespace avro {
class SchemaResolution;
}

namespace orders {

struct SchemaFound {
  std::string text;  // the writer schema's JSON
};
struct SchemaUnknown {
  std::string reason;  // the source knows no such schema
};
struct SchemaUnavailable {
  std::string reason;  // the source could not be asked now
};
using SchemaLookup = std::variant<SchemaFound, SchemaUnknown, SchemaUnavailable>;

class SchemaSource {
 public:
  virtual ~SchemaSource() = default;
  // Must not throw; bounded in time.
  virtual SchemaLookup by_id(std::uint32_t id) = 0;
};

struct ReadResult {
  enum class Kind { read, failed, later };
  Kind kind = Kind::read;
  std::string reason;   // empty when read
  avro::Framed framed;  // what the value's header said
};

class OrderReader {
 public:
  using Clock = std::chrono::steady_clock;
  // `source` may be null (no registry configured): confluent-framed values then fail.
  OrderReader(SchemaSource* source, CacheLimits limits = {},
              std::function<Clock::time_point()> now = Clock::now);
  ~OrderReader();
  OrderReader(const OrderReader&) = delete;
  OrderReader& operator=(const OrderReader&) = delete;

  ReadResult read(std::string_view value, Order& out);

  // How many times the source was asked (for tests and metrics: not once per record).
  std::uint64_t lookups() const { return lookups_; }

  // Consecutive records with the same schema id consult the clock (and the cache) once every
  // this many reads, so an expired id is noticed within that many records of that id.
  static constexpr int kClockEvery = 256;

 private:
  struct Writer;  // a usable writer schema, or why it is not
  using WriterPtr = std::shared_ptr<const Writer>;

  ReadResult read_with(const Writer& w, const avro::Framed& f, Order& out) const;
  // The writer for a registry id: cached, or asked of the source (nullptr + result on failure).
  // Owned by the cache: valid until the next call.
  const Writer* writer_for_id(std::uint32_t id, ReadResult& result);
  const Writer* remember(std::uint32_t id, const Writer* w);
  WriterPtr make_writer(std::string_view text) const;

  SchemaSource* source_;
  std::function<Clock::time_point()> now_;
  avro::Schema reader_;
  std::uint64_t reader_fingerprint_ = 0;
  WriterPtr reader_writer_;  // the reader schema as a writer: the fast path
  SchemaCache<std::uint32_t, WriterPtr> by_id_;
  SchemaCache<std::uint64_t, WriterPtr> by_fingerprint_;
  std::uint64_t lookups_ = 0;
  // The last id's writer (owned by by_id_); null after any path that may change the cache.
  const Writer* memo_ = nullptr;
  std::uint32_t memo_id_ = 0;
  int memo_reads_left_ = 0;
};

}  // namespace orders
