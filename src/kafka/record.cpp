#include "kafka/record.h"

#include "kafka/internal.h"

namespace kafka {

Message::Message(RdKafka::Message* owned) : msg_(owned) {}
Message::Message() = default;
Message::~Message() = default;
Message::Message(Message&&) noexcept = default;
Message& Message::operator=(Message&&) noexcept = default;

ErrorCode Message::err() const {
  return code_of(msg_->err());
}
std::string Message::errstr() const {
  return msg_->errstr();
}
std::string Message::topic_name() const {
  return msg_->topic_name();
}
std::int32_t Message::partition() const {
  return msg_->partition();
}
std::int64_t Message::offset() const {
  return msg_->offset();
}
std::size_t Message::len() const {
  return msg_->len();
}
std::size_t Message::key_len() const {
  return msg_->key_len();
}

RecordBytes bytes_of(const Message& message) {
  const RdKafka::Message& msg = message.raw();
  RecordBytes b;
  const auto ts = msg.timestamp();
  b.timestamp_ms =
      ts.type == RdKafka::MessageTimestamp::MSG_TIMESTAMP_NOT_AVAILABLE ? -1 : ts.timestamp;
  if (msg.key_pointer()) b.key.emplace(static_cast<const char*>(msg.key_pointer()), msg.key_len());
  if (msg.payload()) b.value.emplace(static_cast<const char*>(msg.payload()), msg.len());
  return b;
}

Record to_record(const Message& message) {
  const RdKafka::Message& msg = message.raw();
  Record r;
  r.topic = msg.topic_name();
  r.partition = msg.partition();
  r.offset = msg.offset();
  const RecordBytes b = bytes_of(message);
  r.timestamp_ms = b.timestamp_ms;
  if (b.key) r.key.emplace(*b.key);
  if (b.value) r.value.emplace(*b.value);
  // The C API: the C++ headers() builds (and frees) an empty Headers object for every record
  // without headers, ~8 % of the consume thread.
  rd_kafka_message_t* raw = const_cast<RdKafka::Message&>(msg).c_ptr();
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(raw, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    std::size_t size = 0;
    for (std::size_t i = 0;; ++i) {
      const auto err = rd_kafka_header_get_all(headers, i, &name, &value, &size);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) break;
      const char* v = static_cast<const char*>(value);
      r.headers.emplace_back(name, v ? std::string(v, size) : std::string());
    }
  }
  return r;
}

}  // namespace kafka
