// avro_tool: a thin command-line face of our Avro codec for cross-implementation tests
// (tests/interop/test_avro_interop.py). One record per input line, one JSON object per output
// line, so a test can push thousands of values through one process.
//
//   avro_tool canonical SCHEMA_FILE
//       -> {"canonical": "...", "crc64": "<16 hex>", "crc64_signed": n}
//   avro_tool decode SCHEMA_FILE      stdin: hex lines
//       -> {"ok":true,"json":<Avro JSON>,"hex":<re-encoded>} or {"ok":false,"offset":n,"reason":..}
//   avro_tool encode SCHEMA_FILE      stdin: Avro JSON lines -> {"ok":true,"hex":"..."} / failure
//   avro_tool resolve WRITER_FILE READER_FILE   stdin: hex lines written with WRITER
//       -> {"ok":true,"json":<value as READER>,"hex":<encoded with READER>} or a failure
//   avro_tool order-decode            like decode, via the Order fast path (orders::decode_order)
//   avro_tool order-encode            stdin: {"orderId","product","price"} -> {"ok":true,"hex":..}
//
// Exit status: 0 when every line was processed (per-line failures are reported in the output),
// 2 for bad usage or an unreadable/invalid schema.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "avro/canonical.h"
#include "avro/codec.h"
#include "avro/json_datum.h"
#include "avro/resolver.h"
#include "avro/schema.h"
#include "orders/order_codec.h"

namespace {

using Json = nlohmann::ordered_json;

std::string to_hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

bool from_hex(std::string_view hex, std::string& out) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2) return false;
  out.clear();
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\n')) s.pop_back();
  return s;
}

avro::Schema load_schema(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw avro::SchemaError("cannot read schema file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return avro::Schema::parse(text.str());
}

void emit(const Json& j) {
  std::cout << j.dump() << '\n';
}

Json failure(const std::string& reason, std::size_t offset = 0) {
  return Json{{"ok", false}, {"offset", offset}, {"reason", reason}};
}

int cmd_canonical(const avro::Schema& schema) {
  const std::string canonical = avro::canonical_form(schema);
  const std::uint64_t fp = avro::crc64_avro(canonical);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fp));
  emit(Json{
      {"canonical", canonical}, {"crc64", hex}, {"crc64_signed", static_cast<std::int64_t>(fp)}});
  return 0;
}

int cmd_decode(const avro::Schema& schema) {
  std::string line, bytes;
  while (std::getline(std::cin, line)) {
    if (!from_hex(trim(line), bytes)) {
      emit(failure("input line is not hex"));
      continue;
    }
    avro::Datum datum;
    if (auto err = avro::decode(schema, bytes, datum)) {
      emit(failure(err->reason, err->offset));
      continue;
    }
    std::string reencoded;
    if (auto err = avro::encode(schema, datum, reencoded)) {
      emit(failure("re-encode failed: " + err->message()));
      continue;
    }
    emit(Json{{"ok", true},
              {"json", avro::datum_to_json(schema.root(), datum)},
              {"hex", to_hex(reencoded)}});
  }
  return 0;
}

int cmd_encode(const avro::Schema& schema) {
  std::string line;
  while (std::getline(std::cin, line)) {
    Json value;
    try {
      value = Json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      emit(failure(std::string("input line is not JSON: ") + e.what()));
      continue;
    }
    std::string error;
    auto datum = avro::datum_from_json(schema.root(), value, avro::JsonStyle::kTagged, error);
    if (!datum) {
      emit(failure(error));
      continue;
    }
    std::string bytes;
    if (auto err = avro::encode(schema, *datum, bytes)) {
      emit(failure(err->message()));
      continue;
    }
    emit(Json{{"ok", true}, {"hex", to_hex(bytes)}});
  }
  return 0;
}

int cmd_resolve(const avro::SchemaResolution& resolution) {
  std::string line, bytes;
  while (std::getline(std::cin, line)) {
    if (!from_hex(trim(line), bytes)) {
      emit(failure("input line is not hex"));
      continue;
    }
    avro::Datum datum;
    if (auto err = resolution.decode(bytes, datum)) {
      emit(failure(err->reason, err->offset));
      continue;
    }
    std::string encoded;
    if (auto err = avro::encode(resolution.reader(), datum, encoded)) {
      emit(failure("encode as reader failed: " + err->message()));
      continue;
    }
    emit(Json{{"ok", true},
              {"json", avro::datum_to_json(resolution.reader().root(), datum)},
              {"hex", to_hex(encoded)}});
  }
  return 0;
}

Json float_json(float f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "Infinity" : "-Infinity";
  return static_cast<double>(f);
}

int cmd_order_decode() {
  std::string line, bytes;
  while (std::getline(std::cin, line)) {
    if (!from_hex(trim(line), bytes)) {
      emit(failure("input line is not hex"));
      continue;
    }
    orders::Order order;
    if (auto err = orders::decode_order(bytes, order)) {
      emit(failure(err->reason, err->offset));
      continue;
    }
    Json value{{"orderId", order.order_id},
               {"product", order.product},
               {"price", float_json(order.price)}};
    emit(Json{{"ok", true}, {"json", value}, {"hex", to_hex(orders::encode_order(order))}});
  }
  return 0;
}

int cmd_order_encode() {
  std::string line;
  while (std::getline(std::cin, line)) {
    try {
      const Json j = Json::parse(line);
      orders::Order order;
      order.order_id = j.at("orderId").get<std::string>();
      order.product = j.at("product").get<std::string>();
      const Json& price = j.at("price");
      if (price.is_string()) {
        const auto& s = price.get_ref<const std::string&>();
        order.price = s == "NaN" ? NAN : s == "-Infinity" ? -INFINITY : INFINITY;
      } else {
        order.price = static_cast<float>(price.get<double>());
      }
      emit(Json{{"ok", true}, {"hex", to_hex(orders::encode_order(order))}});
    } catch (const nlohmann::json::exception& e) {
      emit(failure(std::string("bad order JSON: ") + e.what()));
    }
  }
  return 0;
}

int usage() {
  std::cerr << "usage: avro_tool canonical|decode|encode SCHEMA_FILE\n"
               "       avro_tool resolve WRITER_SCHEMA_FILE READER_SCHEMA_FILE\n"
               "       avro_tool order-decode|order-encode\n"
               "(stdin: one hex or JSON value per line; stdout: one JSON object per line)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  if (argc < 2) return usage();
  const std::string cmd = argv[1];
  try {
    if (cmd == "order-decode" && argc == 2) return cmd_order_decode();
    if (cmd == "order-encode" && argc == 2) return cmd_order_encode();
    if (cmd == "resolve" && argc == 4) {
      return cmd_resolve(avro::SchemaResolution(load_schema(argv[2]), load_schema(argv[3])));
    }
    if (argc != 3) return usage();
    const auto schema = load_schema(argv[2]);
    if (cmd == "canonical") return cmd_canonical(schema);
    if (cmd == "decode") return cmd_decode(schema);
    if (cmd == "encode") return cmd_encode(schema);
  } catch (const avro::SchemaError& e) {
    std::cerr << "avro_tool: " << e.what() << '\n';
    return 2;
  }
  return usage();
}
