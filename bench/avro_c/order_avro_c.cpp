// avro-c's generic value API with a memory reader/writer, all objects reused between calls: the
// fastest way avro-c offers for one record at a time.
#include "order_avro_c.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>

// Last: avro.h wraps its #includes of C headers in extern "C"; libstdc++'s wrappers for them
// must already be included (and guarded) by then.
#include <avro.h>

namespace avro_c_ref {

namespace {
// schemas/order.avsc (the benchmark checks that avro-c writes the bytes encode_order writes).
constexpr const char* kOrderSchema =
    R"({"type":"record","name":"Order","fields":[{"name":"orderId","type":"string"},)"
    R"({"name":"product","type":"string"},{"name":"price","type":"float"}]})";
}  // namespace

struct OrderCodec::State {
  std::array<char, 512> buffer{};
  avro_schema_t schema = nullptr;
  avro_value_iface_t* iface = nullptr;
  avro_value_t value{};
  bool has_value = false;
  avro_writer_t writer = nullptr;
  avro_reader_t reader = nullptr;
  std::string error;
};

OrderCodec::OrderCodec() : state_(std::make_unique<State>()) {
  State& s = *state_;
  if (avro_schema_from_json_length(kOrderSchema, std::strlen(kOrderSchema), &s.schema) != 0) {
    s.error = avro_strerror();
    return;
  }
  s.iface = avro_generic_class_from_schema(s.schema);
  if (s.iface == nullptr || avro_generic_value_new(s.iface, &s.value) != 0) {
    s.error = avro_strerror();
    return;
  }
  s.has_value = true;
  s.writer = avro_writer_memory(s.buffer.data(), static_cast<int64_t>(s.buffer.size()));
  s.reader = avro_reader_memory(s.buffer.data(), 0);
  if (s.writer == nullptr || s.reader == nullptr) s.error = "avro-c: no memory reader/writer";
}

OrderCodec::~OrderCodec() {
  State& s = *state_;
  if (s.reader != nullptr) avro_reader_free(s.reader);
  if (s.writer != nullptr) avro_writer_free(s.writer);
  if (s.has_value) avro_value_decref(&s.value);
  if (s.iface != nullptr) avro_value_iface_decref(s.iface);
  if (s.schema != nullptr) avro_schema_decref(s.schema);
}

const std::string& OrderCodec::error() const {
  return state_->error;
}

std::int64_t OrderCodec::encode(const std::string& order_id, const std::string& product,
                                float price) {
  State& s = *state_;
  avro_value_t field;
  avro_writer_reset(s.writer);
  // avro-c string sizes count the terminating NUL.
  if (avro_value_get_by_index(&s.value, 0, &field, nullptr) != 0 ||
      avro_value_set_string_len(&field, order_id.c_str(), order_id.size() + 1) != 0 ||
      avro_value_get_by_index(&s.value, 1, &field, nullptr) != 0 ||
      avro_value_set_string_len(&field, product.c_str(), product.size() + 1) != 0 ||
      avro_value_get_by_index(&s.value, 2, &field, nullptr) != 0 ||
      avro_value_set_float(&field, price) != 0 || avro_value_write(s.writer, &s.value) != 0) {
    return -1;
  }
  return avro_writer_tell(s.writer);
}

std::string_view OrderCodec::written() const {
  return {state_->buffer.data(), static_cast<std::size_t>(avro_writer_tell(state_->writer))};
}

bool OrderCodec::decode(std::string_view bytes, std::string& order_id, std::string& product,
                        float& price) {
  State& s = *state_;
  avro_reader_memory_set_source(s.reader, bytes.data(), static_cast<int64_t>(bytes.size()));
  if (avro_value_read(s.reader, &s.value) != 0) return false;
  avro_value_t field;
  const char* str = nullptr;
  std::size_t size = 0;
  if (avro_value_get_by_index(&s.value, 0, &field, nullptr) != 0 ||
      avro_value_get_string(&field, &str, &size) != 0 || size == 0) {
    return false;
  }
  order_id.assign(str, size - 1);
  if (avro_value_get_by_index(&s.value, 1, &field, nullptr) != 0 ||
      avro_value_get_string(&field, &str, &size) != 0 || size == 0) {
    return false;
  }
  product.assign(str, size - 1);
  return avro_value_get_by_index(&s.value, 2, &field, nullptr) == 0 &&
         avro_value_get_float(&field, &price) == 0;
}

}  // namespace avro_c_ref
