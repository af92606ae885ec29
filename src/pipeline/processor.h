#pragma once
// The business step applied to each valid order: the interface a processor implements (the
// simulated coin flip, the HTTP client of --process, or a user's own C++ code). It must say
// whether a failure is worth retrying: transient errors are retried with backoff, permanent ones
// are dead-lettered at once.
//
// Asynchronous: start() begins an attempt and returns at once; its outcome comes back later from
// poll(), in any order relative to other attempts. The consumer decides which attempts may be in
// flight together (one per key, per partition, or any; --max-in-flight for the whole consumer);
// the processor only carries them out. Single-threaded: the consumer calls every method from its
// one loop thread.
#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orders/order.h"

namespace pipeline {

struct ProcessResult {
  enum class Kind { ok, transient, permanent };
  Kind kind = Kind::ok;
  std::string error;  // empty when ok; a short, printable reason otherwise (it reaches the DLQ)
  // Transient only: the earliest the service wants to be asked again (a Retry-After), counted
  // from the completion. The retry is never made before it (capped by --max-backoff).
  std::optional<std::chrono::milliseconds> retry_after;
  // Transient only: nothing answered at all (connection refused or reset, timeout, name
  // resolution): the outage gate treats the service as down sooner.
  bool no_answer = false;

  static ProcessResult success() { return {Kind::ok, {}, {}, false}; }
  static ProcessResult transient(std::string e) {
    return {Kind::transient, std::move(e), {}, false};
  }
  static ProcessResult permanent(std::string e) {
    return {Kind::permanent, std::move(e), {}, false};
  }
  static ProcessResult unanswered(std::string e) {
    return {Kind::transient, std::move(e), {}, true};
  }
  bool operator==(const ProcessResult&) const = default;
};

// One attempt to process one record. A view: valid only during the start() call it is passed
// to; a processor copies what it keeps.
struct ProcessRequest {
  std::uint64_t id = 0;  // unique within the run: names the attempt in its completion
  const orders::Order& order;
  std::string_view topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string_view> key;          // the record's key
  int attempt = 1;                              // counts from 1
  std::optional<std::string_view> traceparent;  // the record's W3C traceparent header, if any
};

// The same on every attempt and every redelivery of the record, different for every other
// record of the topic: "<topic>/<partition>/<offset>". A service that remembers the keys it
// served can skip a duplicate. (A replayed dead letter is a new record of the topic: a new key.)
std::string idempotency_key(const ProcessRequest& request);

struct ProcessCompletion {
  std::uint64_t id = 0;  // ProcessRequest::id
  ProcessResult result;
};

class ImmediateProcessor;

class Processor {
 public:
  virtual ~Processor() = default;
  // Begins one attempt. Must not block on the service and must not throw: a failure to even
  // start is reported as that attempt's (transient) completion.
  virtual void start(const ProcessRequest& request) = 0;
  // Appends the attempts completed since the last call to `out`. When none is ready and some
  // are in flight, waits up to `max_wait` for the first, returning early when `wake_fd` (if
  // >= 0; the consumer's "records arrived" descriptor) becomes readable. Never waits longer, and
  // never waits at all when nothing is in flight.
  virtual void poll(std::chrono::milliseconds max_wait, int wake_fd,
                    std::vector<ProcessCompletion>& out) = 0;
  // Attempts started and not handed back by poll() yet.
  virtual std::size_t in_flight() const = 0;
  // The attempt's outcome is no longer wanted (its partition was revoked, the run stops): the
  // processor may stop waiting for it. A completion for it may still come and is then ignored.
  virtual void cancel(std::uint64_t /*id*/) {}
  // Non-null for a processor that decides at once: the consumer then calls decide() in place of
  // start() and poll() (no attempt is ever in flight).
  virtual ImmediateProcessor* immediate() { return nullptr; }
};

// Runs a processor's decision. Processors must not throw; one that does has failed that attempt
// (transient), it has not ended the consumer.
template <class Decide>
ProcessResult guarded(Decide&& decide) noexcept {
  try {
    return decide();
  } catch (const std::exception& e) {
    return ProcessResult::transient(std::string("processor threw: ") + e.what());
  } catch (...) {
    return ProcessResult::transient("processor threw a non-standard exception");
  }
}

// A processor that decides at once, for business logic with no I/O: the consumer calls decide()
// directly (start() and poll() work too: start() decides, poll() hands the result back).
class ImmediateProcessor : public Processor {
 public:
  // Must not throw; a thrown exception is treated as a transient error.
  virtual ProcessResult decide(const ProcessRequest& request) = 0;
  ImmediateProcessor* immediate() final { return this; }
  void start(const ProcessRequest& request) final;
  void poll(std::chrono::milliseconds max_wait, int wake_fd,
            std::vector<ProcessCompletion>& out) final;
  std::size_t in_flight() const final { return ready_.size(); }

 private:
  std::vector<ProcessCompletion> ready_;
};

}  // namespace pipeline
