#pragma once
// The outage gate (a circuit breaker) in front of the service the processing step calls. When
// the service fails for everything, retrying each record on its own backoff would burn every
// record's --max-attempts on an outage that is not the records' fault, and hammer a service that
// is trying to come back. The gate stops new attempts instead, lets exactly one probe through
// once a growing interval elapsed, and opens the way again when the service answers.
//
//   closed ──(failure_threshold consecutive transient outcomes; before the service ever
//             answered, unanswered_start_threshold consecutive no_answer ones)──> open
//   open ──(probe interval elapsed, try_start)──> half_open: one probe in flight
//   half_open ──(the probe's transient failure)──> open, the next interval doubled (capped)
//   open / half_open ──(any answer: a success or a permanent failure)──> closed
//
// Pure: no clock read, no I/O; `now` (monotonic, never decreasing) is passed in. The caller
// asks try_start() before every attempt, keeps the Attempt it got and hands it back with the
// outcome to report() (or to abandon() when the attempt never ran to an outcome).
//
// Which outcomes count against a record's --max-attempts (report()'s answer): every answer does
// (a permanent failure dead-letters at once anyway), a transient failure only when it is a
// current attempt's and leaves the gate closed. So none counts while open or half_open: not the
// probe's, not a late one of an attempt started before the gate opened (it was sent into the
// outage; stale attempts are told apart by the period they were started in, which outlives a
// close: an attempt started before an outage and failing after it ended does not count either),
// nor the one that trips the gate (the outage's first recognised victim).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/outcome.h"

namespace pipeline {

enum class CircuitState {
  closed,     // every attempt may start
  open,       // none may start until the probe interval elapsed
  half_open,  // one probe is in flight; nothing else may start
};

// "closed", "open", "half_open": the names for --json, /metrics and the dashboard.
std::string_view to_string(CircuitState s);

// What one attempt's call of the service came to, as the gate sees it.
enum class CallOutcome {
  success,
  permanent,  // the service answered with a refusal (a 4xx): it is up, the record is at fault
  transient,  // a reply that it cannot serve now (a 503, a 429; a 502 or 504 from a proxy)
  no_answer,  // transient, and nothing replied at all: connection refused or reset, timeout,
              // name resolution failure
};
// An answer, in this file, is a success or a permanent failure: the service itself served the
// call. A transient reply is not one (a load balancer says 503 when no instance is up).

// Defaults for a typical HTTP service, called at tens to thousands of requests per second.
struct CircuitSettings {
  // Consecutive transient outcomes (answered or not) with no answer in between that open the
  // gate. 5: one or two failures are everyday noise (a restarting instance behind a load
  // balancer, a dropped keep-alive connection); five in a row with nothing served is an outage.
  // A count, not a failure rate in a time window: it needs no clock, no window to tune, and with
  // few requests it only detects later, never falsely.
  int failure_threshold = 5;
  // While the service has never answered since the gate was created, this many consecutive
  // no_answer outcomes open it. 1: a refused connection on the very first call means the service
  // is not there (down at start, or a wrong URL); opening costs one probe interval, while every
  // call until the normal threshold would spend an attempt of a record.
  int unanswered_start_threshold = 1;
  // The wait before the first probe of an outage, doubled (probe_multiplier) after each failed
  // probe up to max_probe_interval (util::Backoff). 250 ms: a restarted instance is usually back
  // within a second or two; 30 s: a long outage costs one request per 30 s.
  Clock::duration first_probe_interval = std::chrono::milliseconds(250);
  Clock::duration max_probe_interval = std::chrono::seconds(30);
  double probe_multiplier = 2.0;

  // A message naming the bad setting, or nullopt when the settings are usable.
  std::optional<std::string> check() const;
};

// The gate's permission for one attempt, handed back with the attempt's outcome.
struct Attempt {
  std::uint64_t period = 0;  // the gate's state period it was granted in
  bool probe = false;        // the single attempt let through an open gate
  bool operator==(const Attempt&) const = default;
};

// The gate's counters and settings of the moment, for --json, /metrics and the dashboard.
struct CircuitStats {
  CircuitState state = CircuitState::closed;
  std::int64_t opened = 0;  // outages: closed -> open transitions (a failed probe is not one)
  std::int64_t probes = 0;  // probes let through
  std::int64_t failed_probes = 0;
  // Time spent open or half_open, the current outage included up to `now`.
  Clock::duration time_open{};
  // Transient outcomes since the last answer that the gate took into account (stale ones are
  // not); 0 after a close.
  int consecutive_failures = 0;
  // The interval before the next probe (closed: the first of the next outage).
  Clock::duration probe_interval{};
  std::optional<TimePoint> next_probe_at;  // when open
};

class Circuit {
 public:
  // The settings must have passed check(); bad ones are clamped to the nearest usable value.
  explicit Circuit(CircuitSettings settings = {});

  // May an attempt start at `now`? Closed: always. Open: only once the probe interval elapsed,
  // and then exactly once (the probe; the gate turns half_open). Half_open: never.
  std::optional<Attempt> try_start(TimePoint now);

  // The outcome of an attempt try_start() granted. Returns whether it counts against the
  // record's --max-attempts (see the top of this file).
  [[nodiscard]] bool report(const Attempt& attempt, CallOutcome outcome, TimePoint now);

  // The attempt ended without an outcome (its record was revoked, the run stops). Only the probe
  // matters: without it the gate would wait in half_open forever; it turns open again with the
  // probe due at once and the interval unchanged (the service was not heard from).
  void abandon(const Attempt& attempt);

  // When a probe may start: the caller wakes up then (its poll timeout) and asks try_start().
  // nullopt when closed (nothing to wait for) or half_open (the probe's outcome wakes it).
  std::optional<TimePoint> wake_at() const;

  CircuitState state() const { return state_; }
  CircuitStats stats(TimePoint now) const;
  const CircuitSettings& settings() const { return settings_; }

 private:
  void open(TimePoint now);
  void close(TimePoint now);
  void enter(CircuitState s);
  bool on_transient(const Attempt& attempt, bool no_answer, TimePoint now);
  Clock::duration interval() const;

  CircuitSettings settings_;
  CircuitState state_ = CircuitState::closed;
  std::uint64_t period_ = 0;  // bumped on every state change: older attempts are stale
  bool answered_ = false;     // the service answered once since the gate was created
  int consecutive_failures_ = 0;
  int consecutive_no_answers_ = 0;
  std::int64_t opened_ = 0;
  std::int64_t probes_ = 0;
  std::int64_t failed_probes_ = 0;         // in all outages
  std::int64_t outage_failed_probes_ = 0;  // in the current one: the backoff step
  TimePoint opened_at_{};
  TimePoint next_probe_at_{};
  Clock::duration closed_outages_time_{};  // time open of the outages that ended
};

}  // namespace pipeline
