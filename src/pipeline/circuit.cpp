#include "pipeline/circuit.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "util/backoff.h"

namespace pipeline {
namespace {

long long ms(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

bool usable_multiplier(double m) {
  return std::isfinite(m) && m >= 1.0;
}

// The nearest usable settings: a gate built from unchecked settings still opens and probes.
CircuitSettings clamped(CircuitSettings s) {
  s.failure_threshold = std::max(1, s.failure_threshold);
  s.unanswered_start_threshold = std::max(1, s.unanswered_start_threshold);
  s.first_probe_interval =
      std::max<Clock::duration>(std::chrono::milliseconds(1), s.first_probe_interval);
  s.max_probe_interval = std::max(s.first_probe_interval, s.max_probe_interval);
  if (!usable_multiplier(s.probe_multiplier)) s.probe_multiplier = 1.0;
  return s;
}

}  // namespace

std::string_view to_string(CircuitState s) {
  switch (s) {
    case CircuitState::closed:
      return "closed";
    case CircuitState::open:
      return "open";
    case CircuitState::half_open:
      return "half_open";
  }
  return "unknown";
}

std::optional<std::string> CircuitSettings::check() const {
  if (failure_threshold < 1) {
    return fmt::format("circuit failure threshold must be >= 1 (got {})", failure_threshold);
  }
  if (unanswered_start_threshold < 1) {
    return fmt::format("circuit start threshold must be >= 1 (got {})", unanswered_start_threshold);
  }
  // A zero interval would probe again at once after every failed probe.
  if (first_probe_interval < std::chrono::milliseconds(1)) {
    return fmt::format("circuit probe interval must be >= 1 ms (got {} ms)",
                       ms(first_probe_interval));
  }
  if (max_probe_interval < first_probe_interval) {
    return fmt::format("circuit max probe interval ({} ms) must be >= the first ({} ms)",
                       ms(max_probe_interval), ms(first_probe_interval));
  }
  if (!usable_multiplier(probe_multiplier)) {
    return fmt::format("circuit probe multiplier must be >= 1 (got {})", probe_multiplier);
  }
  return std::nullopt;
}

Circuit::Circuit(CircuitSettings settings) : settings_(clamped(settings)) {}

std::optional<Attempt> Circuit::try_start(TimePoint now) {
  switch (state_) {
    case CircuitState::closed:
      return Attempt{.period = period_, .probe = false};
    case CircuitState::open:
      if (now < next_probe_at_) return std::nullopt;
      enter(CircuitState::half_open);
      ++probes_;
      return Attempt{.period = period_, .probe = true};
    case CircuitState::half_open:
      return std::nullopt;
  }
  return std::nullopt;
}

bool Circuit::report(const Attempt& attempt, CallOutcome outcome, TimePoint now) {
  if (outcome == CallOutcome::success || outcome == CallOutcome::permanent) {
    // The service served a call, whichever attempt it was (the probe's, or a late one started
    // before the gate opened): it is up, so every attempt may start again.
    answered_ = true;
    consecutive_failures_ = 0;
    consecutive_no_answers_ = 0;
    if (state_ != CircuitState::closed) close(now);
    return true;
  }
  return on_transient(attempt, outcome == CallOutcome::no_answer, now);
}

bool Circuit::on_transient(const Attempt& attempt, bool no_answer, TimePoint now) {
  // Started in an earlier period: sent into the outage that opened the gate (or into one that
  // ended since). It tells nothing new, and the record is not to blame.
  if (attempt.period != period_) return false;
  if (state_ == CircuitState::half_open) {
    // The probe failed (the only current attempt while half_open): wait longer.
    ++consecutive_failures_;
    ++failed_probes_;
    ++outage_failed_probes_;
    enter(CircuitState::open);
    next_probe_at_ = now + interval();
    return false;
  }
  if (state_ != CircuitState::closed) return false;  // no attempt is granted while open
  ++consecutive_failures_;
  consecutive_no_answers_ = no_answer ? consecutive_no_answers_ + 1 : 0;
  const bool down_at_start =
      !answered_ && consecutive_no_answers_ >= settings_.unanswered_start_threshold;
  if (consecutive_failures_ < settings_.failure_threshold && !down_at_start) return true;
  open(now);
  return false;
}

void Circuit::abandon(const Attempt& attempt) {
  if (!attempt.probe || attempt.period != period_ || state_ != CircuitState::half_open) return;
  // next_probe_at_ has passed already: the next try_start() gets a new probe.
  enter(CircuitState::open);
}

std::optional<TimePoint> Circuit::wake_at() const {
  if (state_ == CircuitState::open) return next_probe_at_;
  return std::nullopt;
}

CircuitStats Circuit::stats(TimePoint now) const {
  CircuitStats s;
  s.state = state_;
  s.opened = opened_;
  s.probes = probes_;
  s.failed_probes = failed_probes_;
  s.time_open = closed_outages_time_;
  if (state_ != CircuitState::closed) {
    s.time_open += std::max(Clock::duration::zero(), now - opened_at_);
  }
  s.consecutive_failures = consecutive_failures_;
  s.probe_interval = interval();
  if (state_ == CircuitState::open) s.next_probe_at = next_probe_at_;
  return s;
}

void Circuit::open(TimePoint now) {
  ++opened_;
  opened_at_ = now;
  outage_failed_probes_ = 0;
  enter(CircuitState::open);
  next_probe_at_ = now + interval();
}

void Circuit::close(TimePoint now) {
  closed_outages_time_ += std::max(Clock::duration::zero(), now - opened_at_);
  outage_failed_probes_ = 0;
  enter(CircuitState::closed);
}

void Circuit::enter(CircuitState s) {
  state_ = s;
  ++period_;
}

Clock::duration Circuit::interval() const {
  const util::Backoff<Clock::duration> b{settings_.first_probe_interval,
                                         settings_.max_probe_interval, settings_.probe_multiplier};
  return b.delay(outage_failed_probes_);
}

}  // namespace pipeline
