// The consume loop: polling, feeding each partition's pipeline, pauses, the run's end.
// Starting lives in startup.cpp, assignment/restore in assignment.cpp, dead letters in
// dead_letters.cpp, reporting in report.cpp; commits are the committer's (committer.h).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "consume/session.h"
#include "kafka/record.h"
#include "kafka/transaction.h"
#include "pipeline/run_end.h"
#include "util/duration.h"
#include "util/stop_signal.h"
#include "util/time_left.h"

namespace consume {

const char* to_string(Semantics s) {
  return s == Semantics::exactly_once ? "exactly-once" : "at-least-once";
}

namespace detail {
namespace {

using namespace std::chrono_literals;

constexpr int kPollBatch = 500;  // records taken per loop turn before deciding

pipeline::CoreSettings core_settings(const ConsumeOptions& opt) {
  return {.window = opt.pipeline.window,
          .commit = opt.commit,
          .max_messages = opt.max_messages,
          .idle_exit = opt.idle_exit};
}

}  // namespace

ConsumeSession::ConsumeSession(const ConsumeOptions& options, pipeline::Processor& processor)
    : opt_(options), processor_(processor), core_(core_settings(options), Clock::now()) {
  for (auto c : {pipeline::ErrorClass::deserialization, pipeline::ErrorClass::validation,
                 pipeline::ErrorClass::processing}) {
    metrics_.dead_lettered_by_class[std::string(pipeline::to_string(c))] = 0;
  }
  metrics_.semantics = to_string(opt_.semantics);
  metrics_.ordering = std::string(pipeline::to_string(opt_.pipeline.ordering));
  metrics_.aggregate.set_max_products(opt_.pipeline.max_products);
  stall_test_partition_ = opt_.test_stall_partition;
  try {
    dlq_max_bytes_ = std::stoul(opt_.producer_props.get_or("message.max.bytes", "1000000"));
  } catch (const std::exception&) {
    // librdkafka refuses the bad value when the producer is created, with a clear message.
  }
  committer_ = make_committer(opt_.semantics, *this);
}

void ConsumeSession::set_fatal(std::string problem) {
  core_.run().on(pipeline::run_event::Fatal{std::move(problem)});  // logged with the report
}

bool ConsumeSession::follow(Followup f) {
  if (f.rewind) rewind_all(&f.keep);
  if (f.producer_failure) producer_failed(f.producer_failure->step, f.producer_failure->error);
  return f.ok;
}

void ConsumeSession::producer_failed(std::string_view step, const Error& e) {
  if (!core_.run().takes_producer_failure()) return;  // the first failure counts; the rest follow
  std::string text = e.message;
  const std::string prefix = "fatal producer error: ";
  if (text.rfind(prefix, 0) == 0) text.erase(0, prefix.size());
  const auto decision = committer_->on_producer_failure(e);
  if (decision.recover) {
    core_.run().on(pipeline::run_event::RecoveryDue{
        fmt::format("{}: {}", step, text), Clock::now() + decision.backoff, decision.attempt});
    return;
  }
  const std::string& id = committer_->transactional_id();
  if (!id.empty() && kafka::producer_fenced(e)) {
    text += " (transactional.id '" + id + "' fenced by another process using it)";
  }
  if (!decision.reason.empty()) text += "; not recovered: " + decision.reason;
  set_fatal(fmt::format("fatal producer error in {}: {}", step, text));
}

std::size_t ConsumeSession::outputs_in_flight() const {
  return outbox_.in_flight() + committer_->checkpoints_in_flight();
}

void ConsumeSession::take(kafka::Message msg) {
  const auto err = msg.err();
  if (err == kafka::ERR__PARTITION_EOF) return;
  if (err != kafka::ERR_NO_ERROR) {
    if (err == kafka::ERR__FATAL) {
      set_fatal("fatal consumer error: " + msg.errstr());
      return;
    }
    // Say it once per kind; librdkafka keeps retrying on its own.
    if (reported_errors_.insert(static_cast<int>(err)).second) {
      spdlog::warn("Consumer: {}", msg.errstr());
    } else {
      spdlog::debug("Consumer: {}", msg.errstr());
    }
    return;
  }
  const auto partition = msg.partition();
  const auto taken = core_.take(partition, msg.len() + msg.key_len());
  switch (taken.what) {
    case pipeline::Take::ignore:  // not (or no longer) ours
      return;
    case pipeline::Take::hold:
      // Until its checkpoint is restored: kept when reading starts where librdkafka started
      // fetching, dropped when a seek moves it.
      held_[partition].push_back(std::move(msg));
      break;
    case pipeline::Take::accept:
      accept(*taken.ps, msg);
      break;
  }
  if (taken.evaluate_flow) update_pauses();  // counted with this record held
  if (taken.what == pipeline::Take::accept) pause_if_full(partition, *taken.ps);
}

void ConsumeSession::pause_if_full(std::int32_t partition, const PartitionState& ps) {
  if (!core_.after_record(partition, ps)) return;
  if (Error e = consumer_->pause({{opt_.topic, partition, kafka::kOffsetInvalid}})) {
    spdlog::warn("pause failed: {}", e.message);
    core_.pause_failed(partition);
  }
}

void ConsumeSession::accept(PartitionState& ps, const kafka::Message& msg) {
  const auto partition = msg.partition();
  const auto admit = core_.admit(partition, ps, msg.offset());
  if (admit == pipeline::Admit::beyond_max) return;  // not tracked
  const auto now = Clock::now();
  if (ps.verify && !verify_anchor(partition, ps, msg)) return;  // started over, or fatal
  if (admit == pipeline::Admit::covered) {
    // Unless librdkafka reset a position the log no longer has (truncated or recreated under
    // the consumer): checked against the log, at most once a second.
    if (!ps.verify) check_log_behind(partition, ps, now);
    return;
  }
  const auto skipped = ps.pipeline->skipped();
  if (!ps.pipeline->push(kafka::to_record(msg), now)) {  // redelivered, or finished before
    metrics_.skipped_on_restore += ps.pipeline->skipped() - skipped;
    return;
  }
  std::optional<std::uint64_t> fingerprint;
  if (pipeline::ConsumerCore::wants_anchor(ps, msg.offset())) {
    const auto b = kafka::bytes_of(msg);
    fingerprint = pipeline::record_fingerprint(b.timestamp_ms, b.key, b.value);
  }
  ++metrics_.consumed;
  if (core_.pushed(partition, ps, msg.offset(), fingerprint, now)) ++metrics_.reprocessed;
  if (!first_consumed_) first_consumed_ = now;
}

void ConsumeSession::advance() {
  for (auto& [partition, ps] : core_.partitions()) {
    if (ps.restoring()) continue;
    const auto now = Clock::now();
    auto step = ps.pipeline->run(now);
    for (const auto& d : step.decisions) apply(partition, ps, d, now);
    for (auto offset : step.write_dead_letters) write_dead_letter(ps, partition, offset);
    if (!step.decisions.empty()) core_.activity(Clock::now());
    if (ps.pipeline->halted() && ps.phase.on(pipeline::PhaseEvent::halted)) {
      spdlog::error(
          "Partition {}[{}] halted: a dead letter could not be written to '{}'; not advancing "
          "(nothing is committed past it) until it is, retrying every {}",
          opt_.topic, partition, opt_.dlq_topic,
          util::format_duration(opt_.pipeline.dead_letter_resend_delay));
    } else if (!ps.pipeline->halted() && ps.phase.on(pipeline::PhaseEvent::resumed)) {
      spdlog::info("Partition {}[{}] resumed: dead letter delivered", opt_.topic, partition);
    }
  }
}

void ConsumeSession::update_pauses() {
  const auto action = core_.evaluate_flow();
  if (action.total == pipeline::TotalTransition::over) {
    spdlog::warn(
        "Pausing every partition: {} bytes of records held in all (--total-window-bytes "
        "{}); fetching resumes below half",
        action.total_bytes, opt_.pipeline.window.total_bytes);
  } else if (action.total == pipeline::TotalTransition::under) {
    spdlog::info("Records held in all down to {} bytes: partitions resume fetching",
                 action.total_bytes);
  }
  auto of_topic = [&](const std::vector<std::int32_t>& parts) {
    std::vector<TopicPartitionOffset> out;
    for (auto p : parts) out.push_back({opt_.topic, p, kafka::kOffsetInvalid});
    return out;
  };
  // A failed call is told back: the next turn asks again (else a partition would stay paused
  // until the stall watchdog restarts the consumer, or fetch past its window).
  if (!action.pause.empty()) {
    if (Error e = consumer_->pause(of_topic(action.pause))) {
      spdlog::warn("pause failed: {}", e.message);
      for (auto p : action.pause) core_.pause_failed(p);
    }
  }
  if (!action.resume.empty()) {
    if (Error e = consumer_->resume(of_topic(action.resume))) {
      spdlog::warn("resume failed: {}", e.message);
      for (auto p : action.resume) core_.resume_failed(p);
    }
  }
}

void ConsumeSession::poll_once() {
  restore_partitions();
  const auto timeout = core_.poll_timeout(Clock::now());
  for (int i = 0; i < kPollBatch && !core_.run().failed(); ++i) {
    auto msg = consumer_->consume(i == 0 ? timeout : 0ms);
    if (!msg) break;
    take(std::move(msg));
  }
  producer_->poll(0ms);
  follow(committer_->reports_served());
  advance();
  update_pauses();
  check_stalls();
  if (core_.schedule().due(Clock::now()))
    follow(committer_->commit_batch(nullptr, util::kFinalBudget, false));
  // at-least-once: offsets follow their checkpoints' acknowledgements (at most one async commit
  // per turn).
  if (Error e = committer_->commit_offsets(nullptr, false)) {
    spdlog::warn("Async commit failed: {}", e.message);
  }
  log_summary();
  publish_state();
}

ConsumeResult ConsumeSession::run() {
  start();
  pipeline::LoopStep step;
  while (true) {
    const bool stop = util::stop_requested();
    if (!stop && core_.run().takes_producer_failure() && producer_->events().fatal_seen()) {
      producer_failed("the producer",
                      Error{kafka::ERR__FATAL, producer_->events().last_error(), true});
    }
    step = core_.next({.stop_requested = stop,
                       .consumer_fatal = consumer_->events().fatal_seen(),
                       .outputs_in_flight = outputs_in_flight()},
                      Clock::now());
    if (step.next == pipeline::Next::stop) break;
    if (step.next == pipeline::Next::recover) {
      recover_producer();
      continue;
    }
    poll_once();
  }
  if (step.fatal) {
    set_fatal("fatal consumer error: " + consumer_->events().last_error());
  }
  spdlog::info("Stopping ({})...", step.why);
  using namespace pipeline::run_event;
  auto& run = core_.run();
  run.on(Stop{});       // during a producer recovery: fatal
  publish_state(true);  // /readyz says 503 from now on
  pipeline::RunEnd end;
  end.dlq_topic = opt_.dlq_topic;
  if (!run.failed()) {
    const auto budget = util::stop_requested() ? util::kStopBudget : util::kFinalBudget;
    end.final_commit_attempted = true;
    end.final_batch_committed = follow(committer_->commit_batch(nullptr, budget, true));
    if (Error e = committer_->commit_offsets(nullptr, true)) end.offsets_error = e.message;
  }
  end.dead_letters_unacknowledged = outbox_.in_flight() + core_.halted();
  end.finished_not_committed = core_.rolled_back_not_redone();
  for (const auto& problem : pipeline::run_end_problems(end)) run.on(problem);
  run.on(Close{});
  // Leaves the group; the revoke hook drops the partitions' state.
  if (Error e = consumer_->close(util::stop_bounded(util::kFinalBudget))) {
    spdlog::warn("Leaving the group: {}", e.message);
  }
  finish_metrics();
  publish_state(true);  // the final figures, as the report has them
  return {metrics_, run.problem()};
}

}  // namespace detail

ConsumeResult run_consume(const ConsumeOptions& options, pipeline::Processor& processor) {
  detail::ConsumeSession session(options, processor);
  return session.run();
}

}  // namespace consume
