#pragma once
// A fetched message, owned and move-only, read in place (no copy of key or value), and the same
// message as a plain record (copies key, value and headers out of it).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/record.h"
#include "kafka/error.h"

namespace RdKafka {
class Message;
}

namespace kafka {

using Record = common::Record;

class Message {
 public:
  Message();  // none (a consume that timed out)
  explicit Message(RdKafka::Message* owned);
  ~Message();
  Message(Message&&) noexcept;
  Message& operator=(Message&&) noexcept;

  explicit operator bool() const { return msg_ != nullptr; }
  // ERR__PARTITION_EOF is informational; any other error means no record.
  ErrorCode err() const;
  std::string errstr() const;
  std::string topic_name() const;
  std::int32_t partition() const;
  std::int64_t offset() const;
  std::size_t len() const;  // of the value
  std::size_t key_len() const;

  const RdKafka::Message& raw() const { return *msg_; }  // for src/kafka

 private:
  std::unique_ptr<RdKafka::Message> msg_;
};

// `msg` must carry no error.
Record to_record(const Message& msg);

// The same record's timestamp, key and value without copying them (valid while `msg` lives).
struct RecordBytes {
  std::int64_t timestamp_ms = -1;
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
};
RecordBytes bytes_of(const Message& msg);

}  // namespace kafka
