#include "pipeline/circuit.h"

#include <gtest/gtest.h>

#include <vector>

using namespace std::chrono_literals;
using pipeline::Attempt;
using pipeline::CallOutcome;
using pipeline::Circuit;
using pipeline::CircuitSettings;
using pipeline::CircuitState;
using pipeline::Clock;
using pipeline::TimePoint;

namespace {

// The fake clock: time points the tests advance by hand.
const TimePoint t0{std::chrono::hours(1)};

// An attempt that must be granted.
Attempt start(Circuit& c, TimePoint now) {
  auto a = c.try_start(now);
  EXPECT_TRUE(a.has_value());
  return a.value_or(Attempt{});
}

// One attempt started and reported at `now`; returns whether it counted.
bool call(Circuit& c, CallOutcome o, TimePoint now) {
  return c.report(start(c, now), o, now);
}

// A gate whose service has answered once, so that only failure_threshold opens it.
Circuit answered_gate(CircuitSettings s = {}) {
  Circuit c(s);
  EXPECT_TRUE(call(c, CallOutcome::success, t0));
  return c;
}

// Opens a gate that has answered before with a run of transient replies at `now`.
void trip(Circuit& c, TimePoint now) {
  for (int i = 0; i < c.settings().failure_threshold; ++i) {
    (void)call(c, CallOutcome::transient, now);
  }
  ASSERT_EQ(c.state(), CircuitState::open);
}

}  // namespace

TEST(Circuit, OpensAfterTheThresholdOfConsecutiveTransientOutcomesAndNotBefore) {
  auto c = answered_gate();
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(call(c, CallOutcome::transient, t0 + i * 1s)) << i;  // the record's problem yet
    EXPECT_EQ(c.state(), CircuitState::closed) << i;
  }
  EXPECT_EQ(c.stats(t0).consecutive_failures, 4);
  // The fifth trips the gate: an outage, so it does not count against its record either.
  EXPECT_FALSE(call(c, CallOutcome::transient, t0 + 4s));
  EXPECT_EQ(c.state(), CircuitState::open);
  EXPECT_EQ(c.stats(t0 + 4s).opened, 1);
  EXPECT_EQ(c.stats(t0 + 4s).consecutive_failures, 5);
}

TEST(Circuit, ASuccessInBetweenResetsTheCount) {
  auto c = answered_gate();
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4; ++i) EXPECT_TRUE(call(c, CallOutcome::no_answer, t0));
    EXPECT_TRUE(call(c, CallOutcome::success, t0));
    EXPECT_EQ(c.stats(t0).consecutive_failures, 0);
  }
  EXPECT_EQ(c.state(), CircuitState::closed);
  EXPECT_EQ(c.stats(t0).opened, 0);
}

TEST(Circuit, APermanentFailureIsTheServiceAnsweringAndDoesNotOpen) {
  // A 4xx: the service is up, the record is at fault.
  Circuit c;
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(call(c, CallOutcome::permanent, t0));
  EXPECT_EQ(c.state(), CircuitState::closed);
  // It resets the run of transient ones like a success does, and counts as the first answer:
  // refusals need the full threshold from now on.
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(call(c, CallOutcome::no_answer, t0));
  EXPECT_TRUE(call(c, CallOutcome::permanent, t0));
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(call(c, CallOutcome::transient, t0));
  EXPECT_EQ(c.state(), CircuitState::closed);
  EXPECT_EQ(c.stats(t0).opened, 0);
}

TEST(Circuit, TheServiceDownAtStartOpensOnTheFirstRefusal) {
  Circuit c;
  // Sixteen attempts in flight at once on the first records, all refused.
  std::vector<Attempt> in_flight;
  for (int i = 0; i < 16; ++i) in_flight.push_back(start(c, t0));
  EXPECT_FALSE(c.report(in_flight[0], CallOutcome::no_answer, t0 + 1ms));
  EXPECT_EQ(c.state(), CircuitState::open);
  // The others were sent into the same outage: none counts, none changes the gate.
  const auto next = c.wake_at();
  for (int i = 1; i < 16; ++i) {
    EXPECT_FALSE(c.report(in_flight[i], CallOutcome::no_answer, t0 + 2ms)) << i;
  }
  EXPECT_EQ(c.state(), CircuitState::open);
  EXPECT_EQ(c.wake_at(), next);
  EXPECT_EQ(c.stats(t0 + 2ms).opened, 1);
  EXPECT_EQ(c.stats(t0 + 2ms).consecutive_failures, 1);
}

TEST(Circuit, TransientRepliesAtStartNeedTheFullThreshold) {
  // A 503 is a reply from something (a proxy): not the fast path of a refused connection, and
  // the service has not answered either, so a refusal after it still opens at once.
  Circuit c;
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(call(c, CallOutcome::transient, t0));
  EXPECT_EQ(c.state(), CircuitState::closed);
  EXPECT_FALSE(call(c, CallOutcome::no_answer, t0));
  EXPECT_EQ(c.state(), CircuitState::open);
  EXPECT_EQ(c.stats(t0).consecutive_failures, 3);  // under the threshold of 5
}

TEST(Circuit, AfterTheServiceAnsweredRefusalsNeedTheFullThreshold) {
  // A restarting instance refuses a few connections: no outage yet.
  auto c = answered_gate();
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(call(c, CallOutcome::no_answer, t0));
  EXPECT_EQ(c.state(), CircuitState::closed);
  EXPECT_FALSE(call(c, CallOutcome::no_answer, t0));
  EXPECT_EQ(c.state(), CircuitState::open);
}

TEST(Circuit, AnOpenGateRefusesAttemptsUntilTheProbeInterval) {
  auto c = answered_gate();
  trip(c, t0);
  EXPECT_EQ(c.wake_at(), t0 + 250ms);
  EXPECT_EQ(c.stats(t0).next_probe_at, t0 + 250ms);
  EXPECT_FALSE(c.try_start(t0).has_value());
  EXPECT_FALSE(c.try_start(t0 + 249ms).has_value());
  EXPECT_EQ(c.state(), CircuitState::open);  // refusals change nothing
  EXPECT_EQ(c.stats(t0 + 249ms).probes, 0);
}

TEST(Circuit, ExactlyOneProbeStartsOnceTheIntervalElapsed) {
  auto c = answered_gate();
  trip(c, t0);
  auto probe = c.try_start(t0 + 300ms);
  ASSERT_TRUE(probe.has_value());
  EXPECT_TRUE(probe->probe);
  EXPECT_EQ(c.state(), CircuitState::half_open);
  // While it is in flight nothing else starts, however late, and there is nothing to wake for.
  EXPECT_FALSE(c.try_start(t0 + 300ms).has_value());
  EXPECT_FALSE(c.try_start(t0 + 1h).has_value());
  EXPECT_EQ(c.wake_at(), std::nullopt);
  EXPECT_EQ(c.stats(t0 + 1h).probes, 1);
}

TEST(Circuit, TheProbesSuccessClosesTheGate) {
  auto c = answered_gate();
  trip(c, t0);
  const auto probe = start(c, t0 + 250ms);
  EXPECT_TRUE(c.report(probe, CallOutcome::success, t0 + 260ms));
  EXPECT_EQ(c.state(), CircuitState::closed);
  EXPECT_EQ(c.wake_at(), std::nullopt);
  EXPECT_EQ(c.stats(t0 + 260ms).consecutive_failures, 0);
  for (int i = 0; i < 10; ++i) {
    auto a = c.try_start(t0 + 260ms);
    ASSERT_TRUE(a.has_value());
    EXPECT_FALSE(a->probe);
  }
}

TEST(Circuit, AFailedProbeReopensWithADoubledIntervalUpToTheCap) {
  auto c = answered_gate();
  trip(c, t0);
  std::vector<Clock::duration> waits;
  TimePoint now = t0;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(c.wake_at().has_value());
    waits.push_back(*c.wake_at() - now);
    now = *c.wake_at();
    const auto probe = start(c, now);
    EXPECT_FALSE(c.report(probe, CallOutcome::no_answer, now)) << i;  // probes never count
    EXPECT_EQ(c.state(), CircuitState::open);
  }
  const std::vector<Clock::duration> want{250ms, 500ms, 1s, 2s, 4s, 8s, 16s, 30s, 30s, 30s};
  EXPECT_EQ(waits, want);
  const auto s = c.stats(now);
  EXPECT_EQ(s.opened, 1);  // re-opening is the same outage
  EXPECT_EQ(s.probes, 10);
  EXPECT_EQ(s.failed_probes, 10);
  EXPECT_EQ(s.consecutive_failures, 15);
  EXPECT_EQ(s.probe_interval, 30s);
  // The next outage starts again from the first interval.
  EXPECT_TRUE(c.report(start(c, now + 30s), CallOutcome::success, now + 30s));
  EXPECT_EQ(c.stats(now + 30s).probe_interval, 250ms);
  trip(c, now + 31s);
  EXPECT_EQ(c.wake_at(), now + 31s + 250ms);
}

TEST(Circuit, TimeOpenAccumulatesAcrossOutagesAndIncludesTheCurrentOne) {
  auto c = answered_gate();
  EXPECT_EQ(c.stats(t0 + 1h).time_open, 0s);
  trip(c, t0 + 10s);
  EXPECT_EQ(c.stats(t0 + 12s).time_open, 2s);  // the current outage, up to now
  EXPECT_TRUE(c.report(start(c, t0 + 13s), CallOutcome::success, t0 + 13s));
  EXPECT_EQ(c.stats(t0 + 100s).time_open, 3s);  // closed: no longer growing
  trip(c, t0 + 100s);
  // Half-open counts as open: the service is still deemed down.
  (void)start(c, t0 + 101s);
  EXPECT_EQ(c.state(), CircuitState::half_open);
  EXPECT_EQ(c.stats(t0 + 104s).time_open, 3s + 4s);
  const auto s = c.stats(t0 + 104s);
  EXPECT_EQ(s.opened, 2);
  EXPECT_EQ(s.state, CircuitState::half_open);
}

TEST(Circuit, TransientOutcomesOfAttemptsStartedBeforeTheGateOpenedDoNotCount) {
  auto c = answered_gate();
  std::vector<Attempt> in_flight;
  for (int i = 0; i < 8; ++i) in_flight.push_back(start(c, t0));
  for (int i = 0; i < 5; ++i) (void)c.report(in_flight[i], CallOutcome::transient, t0 + 1s);
  ASSERT_EQ(c.state(), CircuitState::open);
  // Late failures while open: not counted, and the gate keeps its probe time.
  EXPECT_FALSE(c.report(in_flight[5], CallOutcome::no_answer, t0 + 2s));
  EXPECT_EQ(c.state(), CircuitState::open);
  EXPECT_EQ(c.wake_at(), t0 + 1s + 250ms);
  // ... and while half_open: a late failure is not taken for the probe's.
  const auto probe = start(c, t0 + 2s);
  EXPECT_FALSE(c.report(in_flight[6], CallOutcome::transient, t0 + 2s));
  EXPECT_EQ(c.state(), CircuitState::half_open);
  EXPECT_EQ(c.stats(t0 + 2s).failed_probes, 0);
  EXPECT_EQ(c.stats(t0 + 2s).consecutive_failures, 5);
  // After the outage ended: still stale (it was sent into the outage), and no new failure run.
  EXPECT_TRUE(c.report(probe, CallOutcome::success, t0 + 3s));
  EXPECT_FALSE(c.report(in_flight[7], CallOutcome::transient, t0 + 4s));
  EXPECT_EQ(c.stats(t0 + 4s).consecutive_failures, 0);
  EXPECT_EQ(c.state(), CircuitState::closed);
}

TEST(Circuit, ALateSuccessClosesTheGateAndTheProbeBecomesStale) {
  // The service answered: whichever attempt it was, it is up.
  auto c = answered_gate();
  const auto late = start(c, t0);
  trip(c, t0 + 1s);
  EXPECT_TRUE(c.report(late, CallOutcome::success, t0 + 1100ms));
  EXPECT_EQ(c.state(), CircuitState::closed);
  EXPECT_EQ(c.stats(t0 + 2s).time_open, 100ms);
  // While half_open: the probe still in flight is then an ordinary stale attempt.
  const auto late2 = start(c, t0 + 2s);
  trip(c, t0 + 2s);
  const auto probe = start(c, t0 + 3s);
  EXPECT_TRUE(c.report(late2, CallOutcome::permanent, t0 + 3s));  // a 4xx is an answer too
  EXPECT_EQ(c.state(), CircuitState::closed);
  EXPECT_FALSE(c.report(probe, CallOutcome::no_answer, t0 + 4s));
  EXPECT_EQ(c.state(), CircuitState::closed);
  EXPECT_EQ(c.stats(t0 + 4s).failed_probes, 0);
  EXPECT_EQ(c.stats(t0 + 4s).opened, 2);
}

TEST(Circuit, AnAbandonedProbeLetsANewOneStart) {
  auto c = answered_gate();
  trip(c, t0);
  const auto probe = start(c, t0 + 250ms);
  c.abandon(Attempt{.period = probe.period, .probe = false});  // not the probe: no effect
  EXPECT_EQ(c.state(), CircuitState::half_open);
  c.abandon(probe);
  EXPECT_EQ(c.state(), CircuitState::open);
  EXPECT_EQ(c.wake_at(), t0 + 250ms);  // due at once, the interval unchanged
  const auto second = c.try_start(t0 + 260ms);
  ASSERT_TRUE(second.has_value());
  EXPECT_TRUE(second->probe);
  // The abandoned one reporting after all is stale.
  EXPECT_FALSE(c.report(probe, CallOutcome::no_answer, t0 + 270ms));
  EXPECT_EQ(c.state(), CircuitState::half_open);
  EXPECT_EQ(c.stats(t0 + 270ms).probe_interval, 250ms);
}

TEST(Circuit, SettingsAreCheckedAndBadOnesClamped) {
  EXPECT_EQ(CircuitSettings{}.check(), std::nullopt);
  auto bad = [](CircuitSettings s) { return s.check().value_or(""); };
  EXPECT_NE(bad({.failure_threshold = 0}).find("failure threshold must be >= 1 (got 0)"),
            std::string::npos);
  EXPECT_NE(bad({.unanswered_start_threshold = -1}).find("start threshold"), std::string::npos);
  EXPECT_NE(bad({.first_probe_interval = 0s}).find("probe interval must be >= 1 ms"),
            std::string::npos);
  EXPECT_NE(bad({.first_probe_interval = 2s, .max_probe_interval = 1s}).find("(1000 ms)"),
            std::string::npos);
  EXPECT_NE(bad({.probe_multiplier = 0.5}).find("multiplier"), std::string::npos);
  // Unchecked settings still make a gate that opens and probes.
  Circuit c({.failure_threshold = 0, .first_probe_interval = -1s, .probe_multiplier = -2.0});
  EXPECT_EQ(c.settings().failure_threshold, 1);
  EXPECT_EQ(c.settings().first_probe_interval, 1ms);
  (void)call(c, CallOutcome::transient, t0);
  EXPECT_EQ(c.state(), CircuitState::open);
  EXPECT_EQ(c.wake_at(), t0 + 1ms);
}

TEST(Circuit, StateNames) {
  EXPECT_EQ(pipeline::to_string(CircuitState::closed), "closed");
  EXPECT_EQ(pipeline::to_string(CircuitState::open), "open");
  EXPECT_EQ(pipeline::to_string(CircuitState::half_open), "half_open");
}
