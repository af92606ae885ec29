#pragma once
// Reads an Order from a record value in any of the three framings (avro/framing.h): raw values
// with the Order fast path, framed ones with their writer schema resolved against the reader
// schema (the project's own avro::SchemaResolution), so an Order written by an evolved schema
// (a field added with a default, a promoted type, a field removed) is read correctly.
//
// Writer schemas come from a SchemaSource (the schema registry client in the shell), by id,
// and are kept in a bounded (entries, estimated bytes), time-limited cache: there is no lookup
// per record. Ids the source does not know are kept apart and briefly, and lookups of ids in
// neither cache are rate-limited (SchemaLimits in schema_cache.h). The answers:
//   read            the Order is in `out`
//   failed          the bytes cannot be read (unknown schema id or fingerprint, a writer schema
//                   the reader cannot resolve, bad Avro): a deserialization dead letter
//   later           the source could not answer now (registry down or slow), or the lookup
//                   rate is spent: try again later; never a reason to dead-letter
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
#include "util/token_bucket.h"

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
struct SchemaRefused {
  std::string reason;  // the source answered for the id with nothing usable (too large, not Avro)
};
using SchemaLookup = std::variant<SchemaFound, SchemaUnknown, SchemaUnavailable, SchemaRefused>;

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
  OrderReader(SchemaSource* source, SchemaLimits limits = {},
              std::function<Clock::time_point()> now = Clock::now);
  ~OrderReader();
  OrderReader(const OrderReader&) = delete;
  OrderReader& operator=(const OrderReader&) = delete;

  ReadResult read(std::string_view value, Order& out);

  // How many times the source was asked (for tests and metrics: not once per record).
  std::uint64_t lookups() const { return lookups_; }
  // How many reads waited because the lookup rate was spent.
  std::uint64_t rate_limited() const { return rate_limited_; }
  std::size_t known_bytes() const { return by_id_.bytes(); }
  std::size_t known_ids() const { return by_id_.size(); }
  std::size_t missing_ids() const { return missing_.size(); }

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
  const Writer* ask_source(std::uint32_t id, Clock::time_point now, ReadResult& result);
  WriterPtr make_writer(std::string_view text) const;
  WriterPtr error_writer(std::string reason) const;

  SchemaSource* source_;
  std::function<Clock::time_point()> now_;
  avro::Schema reader_;
  std::uint64_t reader_fingerprint_ = 0;
  WriterPtr reader_writer_;  // the reader schema as a writer: the fast path
  std::size_t max_reason_bytes_;
  SchemaCache<std::uint32_t, WriterPtr> by_id_;
  SchemaCache<std::uint32_t, WriterPtr> missing_;
  SchemaCache<std::uint64_t, WriterPtr> by_fingerprint_;
  util::TokenBucket lookup_tokens_;
  double lookups_per_second_;
  std::uint64_t lookups_ = 0;
  std::uint64_t rate_limited_ = 0;
  // The last id's writer (owned by by_id_ or missing_); null after any path that may change
  // either.
  const Writer* memo_ = nullptr;
  std::uint32_t memo_id_ = 0;
  int memo_reads_left_ = 0;
};

}  // namespace orders
