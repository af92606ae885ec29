// Hand-written Avro binary codec for schemas/order.avsc: {orderId: string, product: string,
// price: float}. Same bytes as the generic codec (checked by tests), without the schema walk.
#include "orders/order_codec.h"

#include <cstdint>
#include <cstring>
#include <string>

#include "avro/utf8.h"
#include "avro/varint.h"

namespace orders {

namespace {

std::size_t encoded_size(const std::string& s) {
  return avro::varint_size(avro::zigzag_encode(static_cast<std::int64_t>(s.size()))) + s.size();
}

char* put_string(char* p, const std::string& s) {
  p = avro::write_varint(p, avro::zigzag_encode(static_cast<std::int64_t>(s.size())));
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// Reads one Avro string field into `out`; the length is checked against the remaining input
// before anything is allocated.
std::optional<avro::DecodeError> get_string(const char* begin, const char*& p, const char* end,
                                            const char* field, std::string& out) {
  const char* start = p;
  std::uint64_t raw = 0;
  switch (avro::read_varint(p, end, avro::kMaxLongVarintBytes, raw)) {
    case avro::VarintStatus::kOk:
      break;
    case avro::VarintStatus::kTruncated:
      return avro::DecodeError{static_cast<std::size_t>(start - begin),
                               std::string("truncated length of ") + field};
    case avro::VarintStatus::kTooLong:
      return avro::DecodeError{static_cast<std::size_t>(start - begin),
                               std::string("varint too long in length of ") + field};
  }
  std::int64_t len = avro::zigzag_decode(raw);
  if (len < 0) {
    return avro::DecodeError{static_cast<std::size_t>(start - begin),
                             "negative length " + std::to_string(len) + " of " + field};
  }
  auto remaining = static_cast<std::uint64_t>(end - p);
  if (static_cast<std::uint64_t>(len) > remaining) {
    return avro::DecodeError{static_cast<std::size_t>(start - begin),
                             "length " + std::to_string(len) + " of " + field + " exceeds the " +
                                 std::to_string(remaining) + " remaining bytes"};
  }
  std::string_view value(p, static_cast<std::size_t>(len));
  std::size_t bad = avro::find_invalid_utf8(value);
  if (bad != value.size()) {
    return avro::DecodeError{static_cast<std::size_t>(p - begin) + bad,
                             std::string("invalid UTF-8 in ") + field};
  }
  out.assign(value.data(), value.size());
  p += len;
  return std::nullopt;
}

}  // namespace

void encode_order(const Order& order, std::string& out) {
  // Exact size up front: one resize, no reallocation while writing.
  const std::size_t size = encoded_size(order.order_id) + encoded_size(order.product) + 4;
  const std::size_t old = out.size();
  out.resize(old + size);
  char* p = out.data() + old;
  p = put_string(p, order.order_id);
  p = put_string(p, order.product);
  avro::write_float_le(p, order.price);
}

std::string encode_order(const Order& order) {
  std::string out;
  encode_order(order, out);
  return out;
}

std::optional<avro::DecodeError> decode_order(std::string_view bytes, Order& out) {
  const char* begin = bytes.data();
  const char* end = begin + bytes.size();
  const char* p = begin;
  if (auto err = get_string(begin, p, end, "orderId", out.order_id)) return err;
  if (auto err = get_string(begin, p, end, "product", out.product)) return err;
  if (end - p < 4) {
    return avro::DecodeError{static_cast<std::size_t>(p - begin), "truncated float price"};
  }
  out.price = avro::read_float_le(p);
  p += 4;
  if (p != end) {
    return avro::DecodeError{static_cast<std::size_t>(p - begin),
                             std::to_string(end - p) + " trailing bytes after Order"};
  }
  return std::nullopt;
}

}  // namespace orders
