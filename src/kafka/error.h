#pragma once
// Kafka errors as values: code, human message and the two flags that decide what a caller does
// next (retry the operation, or give up on the client instance). No librdkafka header: only
// src/kafka sees it (CMakeLists.txt enforces that).
#include <stdexcept>
#include <string>

namespace RdKafka {
class Error;
}

namespace kafka {

// librdkafka's error codes, same values (error.cpp checks each one against librdkafka's). Only
// those a caller names are listed; any other code still travels in an ErrorCode.
enum ErrorCode : int {
  ERR__TRANSPORT = -195,
  ERR__RESOLVE = -193,
  ERR__MSG_TIMED_OUT = -192,
  ERR__PARTITION_EOF = -191,
  ERR__UNKNOWN_PARTITION = -190,
  ERR__UNKNOWN_TOPIC = -188,
  ERR__ALL_BROKERS_DOWN = -187,
  ERR__INVALID_ARG = -186,
  ERR__TIMED_OUT = -185,
  ERR__QUEUE_FULL = -184,
  ERR__WAIT_COORD = -180,
  ERR__ASSIGN_PARTITIONS = -175,
  ERR__REVOKE_PARTITIONS = -174,
  ERR__STATE = -172,
  ERR__INTR = -163,
  ERR__FATAL = -150,
  ERR__FENCED = -144,
  ERR_NO_ERROR = 0,
  ERR_UNKNOWN_TOPIC_OR_PART = 3,
  ERR_LEADER_NOT_AVAILABLE = 5,
  ERR_NOT_LEADER_FOR_PARTITION = 6,
  ERR_REQUEST_TIMED_OUT = 7,
  ERR_MSG_SIZE_TOO_LARGE = 10,
  ERR_NETWORK_EXCEPTION = 13,
  ERR_COORDINATOR_LOAD_IN_PROGRESS = 14,
  ERR_COORDINATOR_NOT_AVAILABLE = 15,
  ERR_NOT_COORDINATOR = 16,
  ERR_NOT_ENOUGH_REPLICAS = 19,
  ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND = 20,
  ERR_REBALANCE_IN_PROGRESS = 27,
  ERR_TOPIC_AUTHORIZATION_FAILED = 29,
  ERR_GROUP_AUTHORIZATION_FAILED = 30,
  ERR_INVALID_PRODUCER_EPOCH = 47,
  ERR_CONCURRENT_TRANSACTIONS = 51,
  ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53,
  ERR_KAFKA_STORAGE_ERROR = 56,
  ERR_FETCH_SESSION_ID_NOT_FOUND = 70,
  ERR_OFFSET_NOT_AVAILABLE = 78,
  ERR_THROTTLING_QUOTA_EXCEEDED = 89,
  ERR_PRODUCER_FENCED = 90
};

struct Error {
  ErrorCode code = ERR_NO_ERROR;
  std::string message;
  bool fatal = false;               // the client instance is unusable; recreate it
  bool retriable = false;           // the same call may succeed if repeated
  bool txn_requires_abort = false;  // transactional producer: abort the current transaction

  explicit operator bool() const { return code != ERR_NO_ERROR; }
  std::string name() const;

  static Error none() { return {}; }
  // Classifies a plain error code. `detail` replaces librdkafka's generic text when given.
  static Error from_code(ErrorCode code, std::string detail = {});
  // Takes ownership of (and deletes) a transactional/admin RdKafka::Error; null means success.
  static Error from_owned(RdKafka::Error* error);
};

// Thrown by the non-hot-path edges (construction, admin, startup checks).
class KafkaException : public std::runtime_error {
 public:
  explicit KafkaException(Error error)
      : std::runtime_error(error.message), error_(std::move(error)) {}
  KafkaException(ErrorCode code, const std::string& message)
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
