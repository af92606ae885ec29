#pragma once
// A librdkafka message viewed as a plain record (copies key, value and headers out of it).
#include <librdkafka/rdkafkacpp.h>

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/record.h"

namespace kafka {

using Record = common::Record;

// `msg` must carry no error.
Record to_record(const RdKafka::Message& msg);

// The same record's timestamp, key and value without copying them (valid while `msg` lives).
struct RecordBytes {
  std::int64_t timestamp_ms = -1;
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
};
RecordBytes bytes_of(const RdKafka::Message& msg);

}  // namespace kafka
