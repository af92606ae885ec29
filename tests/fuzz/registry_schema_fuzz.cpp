// libFuzzer target for schemas from the registry, along the path a consumer's lookup takes: the
// body of a GET /schemas/ids/N answer goes through registry::schema_answer (the client's own
// code: SAX with a depth limit, size limits, schemaType), and what it yields through
// orders::OrderReader (schema parse, canonical form, fingerprint, resolution against Order), which
// then reads one Confluent-framed Order with it. The same bytes are also taken as the schema text
// itself, and as an error answer. Nothing may crash, hang or throw; every reason is bounded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "avro/framing.h"
#include "orders/order_codec.h"
#include "orders/order_reader.h"
#include "registry/answer.h"

namespace {

class OneAnswer : public orders::SchemaSource {
 public:
  explicit OneAnswer(orders::SchemaLookup answer) : answer_(std::move(answer)) {}
  orders::SchemaLookup by_id(std::uint32_t) override { return answer_; }

 private:
  orders::SchemaLookup answer_;
};

const std::string& record() {
  static const std::string r = [] {
    std::string v;
    avro::append_confluent_header(1, v);
    return v + orders::encode_order({"ORD-1", "Desk", 12.5f});
  }();
  return r;
}

void read_with(orders::SchemaLookup answer) {
  OneAnswer source(std::move(answer));
  orders::OrderReader reader(&source);
  orders::Order out;
  const auto result = reader.read(record(), out);
  // Reasons are cut to SchemaLimits::max_reason_bytes (500) plus "...".
  if (result.reason.size() > 600) std::abort();
  if (result.kind == orders::ReadResult::Kind::read && out.order_id != "ORD-1") std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const registry::Answer ok{200, body, false};
  read_with(registry::schema_answer(ok, std::size_t{1} << 20, std::size_t{4} << 20));
  read_with(orders::SchemaFound{body});
  const auto [code, message] = registry::error_of(registry::Answer{500, body, false});
  if (code < 0 || message.size() > 1100) std::abort();
  (void)registry::id_of(ok);
  return 0;
}
