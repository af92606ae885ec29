#pragma once
// How records wait in a partition, and how many may: the ordering mode decides which records a
// waiting retry holds back; the window limits bound what a partition holds while it waits.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pipeline {

// key: a record waiting for a retry holds back only later records of its partition with the same
//      key (records without a key count as one key);
// partition: it holds back every later record of its partition (strict offset order);
// none: it holds back nothing.
enum class Ordering { key, partition, none };

std::string_view to_string(Ordering ordering);
std::optional<Ordering> parse_ordering(std::string_view text);

// Per partition. At any limit the partition's fetching pauses (pipeline/pause_policy.h).
struct WindowLimits {
  std::size_t records = 20000;  // taken in and not finished
  // Their keys, values and headers; also bounds the records held while the partition restores.
  std::size_t bytes = std::size_t{64} << 20;
  // last offset taken - commit offset: bounds the set of records finished above the commit
  // offset that every checkpoint stores, and the tracker's memory (a byte per offset).
  std::int64_t span = 1'000'000;
  // All partitions together: keys, values and headers held by every window and restore. Many
  // partitions times `bytes` would otherwise be the only bound on the process.
  std::size_t total_bytes = std::size_t{256} << 20;
};

struct WindowUsage {
  std::size_t records = 0;
  std::size_t bytes = 0;
  std::int64_t span = 0;
};

}  // namespace pipeline
