#include "kafka/error.h"

#include <memory>

#include "kafka/internal.h"

namespace kafka {

static_assert(ERR__TRANSPORT == static_cast<int>(RdKafka::ERR__TRANSPORT));
static_assert(ERR__RESOLVE == static_cast<int>(RdKafka::ERR__RESOLVE));
static_assert(ERR__MSG_TIMED_OUT == static_cast<int>(RdKafka::ERR__MSG_TIMED_OUT));
static_assert(ERR__PARTITION_EOF == static_cast<int>(RdKafka::ERR__PARTITION_EOF));
static_assert(ERR__UNKNOWN_PARTITION == static_cast<int>(RdKafka::ERR__UNKNOWN_PARTITION));
static_assert(ERR__UNKNOWN_TOPIC == static_cast<int>(RdKafka::ERR__UNKNOWN_TOPIC));
static_assert(ERR__ALL_BROKERS_DOWN == static_cast<int>(RdKafka::ERR__ALL_BROKERS_DOWN));
static_assert(ERR__INVALID_ARG == static_cast<int>(RdKafka::ERR__INVALID_ARG));
static_assert(ERR__TIMED_OUT == static_cast<int>(RdKafka::ERR__TIMED_OUT));
static_assert(ERR__QUEUE_FULL == static_cast<int>(RdKafka::ERR__QUEUE_FULL));
static_assert(ERR__WAIT_COORD == static_cast<int>(RdKafka::ERR__WAIT_COORD));
static_assert(ERR__ASSIGN_PARTITIONS == static_cast<int>(RdKafka::ERR__ASSIGN_PARTITIONS));
static_assert(ERR__REVOKE_PARTITIONS == static_cast<int>(RdKafka::ERR__REVOKE_PARTITIONS));
static_assert(ERR__STATE == static_cast<int>(RdKafka::ERR__STATE));
static_assert(ERR__INTR == static_cast<int>(RdKafka::ERR__INTR));
static_assert(ERR__FATAL == static_cast<int>(RdKafka::ERR__FATAL));
static_assert(ERR__FENCED == static_cast<int>(RdKafka::ERR__FENCED));
static_assert(ERR_NO_ERROR == static_cast<int>(RdKafka::ERR_NO_ERROR));
static_assert(ERR_UNKNOWN_TOPIC_OR_PART == static_cast<int>(RdKafka::ERR_UNKNOWN_TOPIC_OR_PART));
static_assert(ERR_LEADER_NOT_AVAILABLE == static_cast<int>(RdKafka::ERR_LEADER_NOT_AVAILABLE));
static_assert(ERR_NOT_LEADER_FOR_PARTITION ==
              static_cast<int>(RdKafka::ERR_NOT_LEADER_FOR_PARTITION));
static_assert(ERR_REQUEST_TIMED_OUT == static_cast<int>(RdKafka::ERR_REQUEST_TIMED_OUT));
static_assert(ERR_MSG_SIZE_TOO_LARGE == static_cast<int>(RdKafka::ERR_MSG_SIZE_TOO_LARGE));
static_assert(ERR_NETWORK_EXCEPTION == static_cast<int>(RdKafka::ERR_NETWORK_EXCEPTION));
static_assert(ERR_COORDINATOR_LOAD_IN_PROGRESS ==
              static_cast<int>(RdKafka::ERR_COORDINATOR_LOAD_IN_PROGRESS));
static_assert(ERR_COORDINATOR_NOT_AVAILABLE ==
              static_cast<int>(RdKafka::ERR_COORDINATOR_NOT_AVAILABLE));
static_assert(ERR_NOT_COORDINATOR == static_cast<int>(RdKafka::ERR_NOT_COORDINATOR));
static_assert(ERR_NOT_ENOUGH_REPLICAS == static_cast<int>(RdKafka::ERR_NOT_ENOUGH_REPLICAS));
static_assert(ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND ==
              static_cast<int>(RdKafka::ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND));
static_assert(ERR_REBALANCE_IN_PROGRESS == static_cast<int>(RdKafka::ERR_REBALANCE_IN_PROGRESS));
static_assert(ERR_TOPIC_AUTHORIZATION_FAILED ==
              static_cast<int>(RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED));
static_assert(ERR_GROUP_AUTHORIZATION_FAILED ==
              static_cast<int>(RdKafka::ERR_GROUP_AUTHORIZATION_FAILED));
static_assert(ERR_INVALID_PRODUCER_EPOCH == static_cast<int>(RdKafka::ERR_INVALID_PRODUCER_EPOCH));
static_assert(ERR_CONCURRENT_TRANSACTIONS ==
              static_cast<int>(RdKafka::ERR_CONCURRENT_TRANSACTIONS));
static_assert(ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED ==
              static_cast<int>(RdKafka::ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
static_assert(ERR_KAFKA_STORAGE_ERROR == static_cast<int>(RdKafka::ERR_KAFKA_STORAGE_ERROR));
static_assert(ERR_FETCH_SESSION_ID_NOT_FOUND ==
              static_cast<int>(RdKafka::ERR_FETCH_SESSION_ID_NOT_FOUND));
static_assert(ERR_OFFSET_NOT_AVAILABLE == static_cast<int>(RdKafka::ERR_OFFSET_NOT_AVAILABLE));
static_assert(ERR_THROTTLING_QUOTA_EXCEEDED ==
              static_cast<int>(RdKafka::ERR_THROTTLING_QUOTA_EXCEEDED));
static_assert(ERR_PRODUCER_FENCED == static_cast<int>(RdKafka::ERR_PRODUCER_FENCED));

namespace {

// Codes that are worth retrying without human intervention (broker-side transient states and
// client-side timeouts). Everything else is treated as permanent for the operation.
bool is_retriable_code(ErrorCode code) {
  switch (static_cast<RdKafka::ErrorCode>(code)) {
    case RdKafka::ERR__TRANSPORT:
    case RdKafka::ERR__TIMED_OUT:
    case RdKafka::ERR__MSG_TIMED_OUT:
    case RdKafka::ERR__QUEUE_FULL:
    case RdKafka::ERR__ALL_BROKERS_DOWN:
    case RdKafka::ERR__WAIT_COORD:
    case RdKafka::ERR__PARTITION_EOF:
    case RdKafka::ERR_LEADER_NOT_AVAILABLE:
    case RdKafka::ERR_NOT_LEADER_FOR_PARTITION:
    case RdKafka::ERR_REQUEST_TIMED_OUT:
    case RdKafka::ERR_NETWORK_EXCEPTION:
    case RdKafka::ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RdKafka::ERR_COORDINATOR_NOT_AVAILABLE:
    case RdKafka::ERR_NOT_COORDINATOR:
    case RdKafka::ERR_NOT_ENOUGH_REPLICAS:
    case RdKafka::ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RdKafka::ERR_UNKNOWN_TOPIC_OR_PART:
    case RdKafka::ERR_REBALANCE_IN_PROGRESS:
    case RdKafka::ERR_CONCURRENT_TRANSACTIONS:
    case RdKafka::ERR_KAFKA_STORAGE_ERROR:
    case RdKafka::ERR_FETCH_SESSION_ID_NOT_FOUND:
    case RdKafka::ERR_OFFSET_NOT_AVAILABLE:
    case RdKafka::ERR_THROTTLING_QUOTA_EXCEEDED:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string Error::name() const {
  return RdKafka::err2str(static_cast<RdKafka::ErrorCode>(code));
}

Error Error::from_code(ErrorCode code, std::string detail) {
  Error e;
  e.code = code;
  e.message =
      detail.empty() ? RdKafka::err2str(static_cast<RdKafka::ErrorCode>(code)) : std::move(detail);
  e.fatal = code == ERR__FATAL;
  e.retriable = is_retriable_code(code);
  return e;
}

Error Error::from_owned(RdKafka::Error* error) {
  std::unique_ptr<RdKafka::Error> owned(error);
  if (!owned) return {};
  Error e;
  e.code = code_of(owned->code());
  e.message = owned->str();
  e.fatal = owned->is_fatal();
  e.retriable = owned->is_retriable();
  e.txn_requires_abort = owned->txn_requires_abort();
  return e;
}

}  // namespace kafka
