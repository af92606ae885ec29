#pragma once
// A writer record with writer-only fields of every shape (a big string, an array of records
// with maps inside, a map of unions, an enum, a fixed, a null) around the one field `kReader`
// keeps: for the skipping tests (avro_skip_test.cpp, tests/alloc).
#include <cstddef>
#include <cstdint>
#include <string>

#include "avro/datum.h"
#include "avro/varint.h"

namespace skip_samples {

inline constexpr const char* kWriter = R"({"type":"record","name":"R","fields":[
    {"name":"blob","type":"string"},
    {"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[
        {"name":"sku","type":"string"},{"name":"qty","type":"int"},{"name":"ok","type":"boolean"},
        {"name":"w","type":"double"},{"name":"tags","type":{"type":"map","values":"long"}}]}}},
    {"name":"keep","type":"long"},
    {"name":"attrs","type":{"type":"map","values":
        ["null","float",{"type":"array","items":"bytes"}]}},
    {"name":"kind","type":{"type":"enum","name":"K","symbols":["A","B"]}},
    {"name":"md5","type":{"type":"fixed","name":"F","size":16}},
    {"name":"nothing","type":"null"}]})";

inline constexpr const char* kReader =
    R"({"type":"record","name":"R","fields":[{"name":"keep","type":"long"}]})";

inline constexpr std::int64_t kKept = -4242;

inline avro::Datum writer_value(std::size_t blob_size, std::size_t lines) {
  avro::Array items;
  for (std::size_t i = 0; i < lines; ++i) {
    avro::Map tags{{{"t" + std::to_string(i % 7), static_cast<std::int64_t>(i) * 1000}}};
    items.items.emplace_back(
        avro::Record{{"SKU-" + std::to_string(i), static_cast<std::int32_t>(i), i % 2 == 0,
                      static_cast<double>(i) / 3, std::move(tags)}});
  }
  avro::Map attrs{{{"n", avro::Union(0, avro::Null{})},
                   {"f", avro::Union(1, 1.5f)},
                   {"a", avro::Union(2, avro::Array{{avro::Bytes{"xy"}, avro::Bytes{""}}})}}};
  return avro::Record{{std::string(blob_size, 'x'), std::move(items), kKept, std::move(attrs),
                       avro::EnumValue{1}, avro::Fixed{std::string(16, 'm')}, avro::Null{}}};
}

// An array or map block in the block-size form (negative count, then the byte size), and the
// end of the blocks.
inline std::string sized_block(std::int64_t count, const std::string& items) {
  std::string out;
  avro::append_long(out, -count);
  avro::append_long(out, static_cast<std::int64_t>(items.size()));
  out += items;
  out.push_back('\0');
  return out;
}

}  // namespace skip_samples
