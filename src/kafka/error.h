#pragma once
// Kafka errors as values: code, human message and the two flags that decide what a caller does
// next (retry the operation, or give up on the client instance).
#include <librdkafka/rdkafkacpp.h>

#include <stdexcept>
#include <string>

namespace kafka {

struct Error {
  RdKafka::ErrorCode code = RdKafka::ERR_NO_ERROR;
  std::string message;
  bool fatal = false;               // the client instance is unusable; recreate it
  bool retriable = false;           // the same call may succeed if repeated
  bool txn_requires_abort = false;  // transactional producer: abort the current transaction

  explicit operator bool() const { return code != RdKafka::ERR_NO_ERROR; }
  std::string name() const { return RdKafka::err2str(code); }

  static Error none() { return {}; }
  // Classifies a plain error code. `detail` replaces librdkafka's generic text when given.
  static Error from_code(RdKafka::ErrorCode code, std::string detail = {});
  // Takes ownership of (and deletes) a transactional/admin RdKafka::Error; null means success.
  static Error from_owned(RdKafka::Error* error);
};

// Thrown by the non-hot-path edges (construction, admin, startup checks).
class KafkaException : public std::runtime_error {
 public:
  explicit KafkaException(Error error)
      : std::runtime_error(error.message), error_(std::move(error)) {}
  KafkaException(RdKafka::ErrorCode code, const std::string& message)
      : KafkaException(Error::from_code(code, message)) {}
  const Error& error() const { return error_; }

 private:
  Error error_;
};

// An invalid or unknown client property, or an unreadable config file: a usage error.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace kafka
