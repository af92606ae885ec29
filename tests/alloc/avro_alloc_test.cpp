// Heap allocations while decoding, counted: skipping writer-only fields allocates nothing large,
// and counts the input cannot hold reserve nothing. A binary of its own, because it replaces the
// global operator new (every variant, so sanitizers still see matching pairs: all go to malloc).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>

#include "avro/codec.h"
#include "avro/resolver.h"
#include "avro/schema.h"
#include "avro/varint.h"
#include "avro_skip_samples.h"

// Our operator delete frees what our operator new got from malloc; GCC, seeing the inlined pair
// of a new-expression and free(), cannot know that.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {

struct Counts {
  bool armed = false;
  std::size_t total = 0;    // bytes asked for while armed
  std::size_t largest = 0;  // the largest single request while armed
};
Counts counts;

void* counted(std::size_t n, std::size_t align) {
  if (counts.armed) {
    counts.total += n;
    counts.largest = std::max(counts.largest, n);
  }
  void* p =
      align <= alignof(std::max_align_t)
          ? std::malloc(n ? n : 1)
          : std::aligned_alloc(align, (std::max<std::size_t>(n, 1) + align - 1) / align * align);
  if (!p) throw std::bad_alloc();
  return p;
}

void* counted_nothrow(std::size_t n, std::size_t align) noexcept {
  try {
    return counted(n, align);
  } catch (...) {
    return nullptr;
  }
}

// Counts the allocations of one scope.
class Counting {
 public:
  Counting() {
    counts = Counts{};
    counts.armed = true;
  }
  ~Counting() { counts.armed = false; }
  Counting(const Counting&) = delete;
  Counting& operator=(const Counting&) = delete;
};

}  // namespace

void* operator new(std::size_t n) {
  return counted(n, 0);
}
void* operator new[](std::size_t n) {
  return counted(n, 0);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return counted_nothrow(n, 0);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return counted_nothrow(n, 0);
}
void* operator new(std::size_t n, std::align_val_t a) {
  return counted(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return counted(n, static_cast<std::size_t>(a));
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return counted_nothrow(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return counted_nothrow(n, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(p);
}

namespace {

using avro::Datum;
using avro::Schema;

std::string long_bytes(std::int64_t v) {
  std::string out;
  avro::append_long(out, v);
  return out;
}

TEST(AvroAllocations, SkippingWriterOnlyFieldsAllocatesNothingLarge) {
  const auto writer = Schema::parse(skip_samples::kWriter);
  std::string bytes;
  ASSERT_FALSE(avro::encode(writer, skip_samples::writer_value(1 << 20, 10000), bytes));
  ASSERT_GT(bytes.size(), std::size_t{1} << 20);
  const avro::SchemaResolution resolution(writer, Schema::parse(skip_samples::kReader));
  Datum out;
  {
    Counting c;
    ASSERT_FALSE(resolution.decode(bytes, out));
    EXPECT_LT(counts.total, 1024u) << "bytes allocated to skip " << bytes.size() << " bytes";
  }
  EXPECT_EQ(out, Datum(avro::Record{{skip_samples::kKept}}));
  {
    Counting c;  // the hook sees what decoding the writer's fields costs
    Datum all;
    ASSERT_FALSE(avro::decode(writer, bytes, all));
    EXPECT_GE(counts.largest, std::size_t{1} << 20);
  }
}

TEST(AvroAllocations, CountsTheInputCannotHoldReserveNothing) {
  // 2^20 records of at least 3 bytes declared in 1 MiB: refused at the header, nothing reserved
  // (a reservation by count alone would be 2^20 datums, tens of MiB).
  const char* type = R"({"type":"array","items":{"type":"record","name":"P","fields":[
      {"name":"a","type":"long"},{"name":"b","type":"long"},{"name":"c","type":"long"}]}})";
  const auto array = Schema::parse(type);
  const std::string bytes = long_bytes(std::int64_t{1} << 20) + std::string(1 << 20, '\0');
  const avro::SchemaResolution same(array, array);
  Datum out;
  Counting c;
  EXPECT_TRUE(avro::decode(array, bytes, out));
  EXPECT_TRUE(same.decode(bytes, out));
  for (std::int64_t huge : {std::int64_t{1} << 31, std::int64_t{1} << 62}) {
    EXPECT_TRUE(avro::decode(array, long_bytes(huge) + "\x02\x02\x02", out));
    EXPECT_TRUE(avro::decode(array, long_bytes(-huge) + "\x06\x02\x02\x02", out));
  }
  EXPECT_LT(counts.largest, 1024u);
  EXPECT_LT(counts.total, 32768u);
}

TEST(AvroAllocations, RecordsOfNullsInArraysStayBounded) {
  // 65536 records of 100 nulls declared in 3 bytes would be 6.6 million datums; the zero-size
  // budget stops them at 65536 values.
  std::string record = R"({"type":"record","name":"N","fields":[)";
  for (int i = 0; i < 100; ++i) {
    record +=
        (i ? "," : "") + std::string(R"({"name":"n)") + std::to_string(i) + R"(","type":"null"})";
  }
  const auto array = Schema::parse(R"({"type":"array","items":)" + record + "]}}");
  Datum out;
  Counting c;
  EXPECT_TRUE(avro::decode(array, long_bytes(65536) + '\0', out));
  EXPECT_LT(counts.total, std::size_t{16} << 20);
}

}  // namespace
