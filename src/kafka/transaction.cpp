#include "kafka/transaction.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "util/time_left.h"

namespace kafka {
namespace {

using namespace std::chrono_literals;
using Clock = Transaction::Clock;

constexpr auto kRetryPause = 100ms;  // serves delivery reports meanwhile

std::chrono::milliseconds remaining(Clock::time_point deadline) {
  return std::max(util::ms_left(deadline, Clock::now()), 1ms);
}

}  // namespace

Clock::time_point Transaction::limited(Clock::time_point deadline) const {
  if (!limit_) return deadline;
  const auto now = Clock::now();
  return std::min(deadline, now + limit_(util::ms_left(deadline, now)));
}

// Retriable failures (timeouts, a coordinator moving) are repeated, each call one slice, until
// the deadline; the limit is asked again before each.
template <class Call>
Error Transaction::resumed(Clock::time_point deadline, Call&& call) {
  while (true) {
    deadline = limited(deadline);
    Error e = call(std::min(remaining(deadline), kSlice));
    if (!e || !e.retriable || e.fatal || e.txn_requires_abort || Clock::now() >= deadline) {
      return e;
    }
    if (e.code != ERR__TIMED_OUT) {
      spdlog::debug("transaction step failed, retrying: {}", e.message);
      producer_.poll(std::min(kRetryPause, remaining(deadline)));
    }
  }
}

bool is_fencing(const Error& e) {
  return e.code == ERR__FENCED || e.code == ERR_PRODUCER_FENCED ||
         e.code == ERR_INVALID_PRODUCER_EPOCH ||
         e.code == ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
}

bool producer_fenced(const Error& e) {
  return is_fencing(e) || e.message.find("fenced") != std::string::npos ||
         e.message.find("Fenced") != std::string::npos;
}

bool init_transactions_again(const Error& e) {
  return (e.retriable || e.code == ERR__TIMED_OUT) && !e.fatal;
}

Error init_transactions(Producer& producer, std::chrono::milliseconds budget,
                        std::chrono::milliseconds slice, const std::function<bool()>& stop) {
  const auto deadline = Clock::now() + budget;
  while (true) {
    Error e = producer.init_transactions(std::min(remaining(deadline), slice));
    if (!e) return {};
    if (!init_transactions_again(e) || Clock::now() >= deadline || (stop && stop())) return e;
  }
}

Error Transaction::begin() {
  if (open_) return {};
  Error e = producer_.begin_transaction();
  if (!e) open_ = true;
  return e;
}

Error Transaction::commit(const std::vector<TopicPartitionOffset>& offsets,
                          const GroupMetadata* group, Clock::time_point deadline) {
  outcome_unknown_ = false;
  step_ = "send_offsets_to_transaction";
  if (!offsets.empty()) {
    if (!group) return Error::from_code(ERR__STATE);
    Error e = resumed(deadline, [&](std::chrono::milliseconds t) {
      return producer_.send_offsets_to_transaction(offsets, *group, t);
    });
    if (e) return e;
  }
  step_ = "commit_transaction";
  Error e = resumed(deadline,
                    [&](std::chrono::milliseconds t) { return producer_.commit_transaction(t); });
  if (!e) open_ = false;
  outcome_unknown_ = e && e.retriable && !e.txn_requires_abort && !e.fatal;
  return e;
}

Error Transaction::abort(Clock::time_point deadline) {
  if (!open_) return {};
  open_ = false;
  return resumed(deadline,
                 [&](std::chrono::milliseconds t) { return producer_.abort_transaction(t); });
}

}  // namespace kafka
