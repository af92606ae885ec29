#pragma once
// avro-c (Apache Avro C, Debian libavro-dev) encoding and decoding the Order schema: the reference
// codec for the micro-benchmarks. Compiled apart from the rest (see CMakeLists.txt): avro-c's
// headers include <avro/schema.h> and friends, which our own src/avro would shadow. So this
// interface speaks only std types.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace avro_c_ref {

class OrderCodec {
 public:
  OrderCodec();
  ~OrderCodec();
  OrderCodec(const OrderCodec&) = delete;
  OrderCodec& operator=(const OrderCodec&) = delete;

  // Empty when the schema and value were set up; otherwise avro-c's message.
  const std::string& error() const;

  // Fills the reused generic value and writes it to the internal buffer; the encoded size or -1.
  std::int64_t encode(const std::string& order_id, const std::string& product, float price);
  std::string_view written() const;  // the bytes of the last encode

  // Reads one record into the reused value and copies the fields out; false on avro-c errors.
  bool decode(std::string_view bytes, std::string& order_id, std::string& product, float& price);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace avro_c_ref
