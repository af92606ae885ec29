#include "kafka/error.h"

#include <memory>

namespace kafka {
namespace {

// Codes that are worth retrying without human intervention (broker-side transient states and
// client-side timeouts). Everything else is treated as permanent for the operation.
bool is_retriable_code(RdKafka::ErrorCode code) {
  switch (code) {
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

Error Error::from_code(RdKafka::ErrorCode code, std::string detail) {
  Error e;
  e.code = code;
  e.message = detail.empty() ? RdKafka::err2str(code) : std::move(detail);
  e.fatal = code == RdKafka::ERR__FATAL;
  e.retriable = is_retriable_code(code);
  return e;
}

Error Error::from_owned(RdKafka::Error* error) {
  std::unique_ptr<RdKafka::Error> owned(error);
  if (!owned) return {};
  Error e;
  e.code = owned->code();
  e.message = owned->str();
  e.fatal = owned->is_fatal();
  e.retriable = owned->is_retriable();
  e.txn_requires_abort = owned->txn_requires_abort();
  return e;
}

}  // namespace kafka
