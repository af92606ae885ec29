// The consume loop: polling, feeding each partition's pipeline, pauses, the run's end.
// Starting lives in startup.cpp, assignment/restore in assignment.cpp, dead letters in
// dead_letters.cpp, reporting in report.cpp; commits are the committer's (committer.h).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "consume/session.h"
#include "kafka/record.h"
#include "kafka/transaction.h"
#include "pipeline/flow_control.h"
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

constexpr int kPollBatch = 500;       // records taken per loop turn before deciding
constexpr auto kMaxPollWait = 100ms;  // bounds the reaction time to a stop request
constexpr auto kJoinGrace = 15s;      // --idle-exit does not count before partitions arrive

}  // namespace

ConsumeSession::ConsumeSession(const ConsumeOptions& options, pipeline::OrderProcessor& processor)
    : opt_(options),
      processor_(processor),
      flow_(options.pipeline.window),
      schedule_(options.commit) {
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
  run_.on(pipeline::run_event::Fatal{std::move(problem)});  // logged with the report
}

void ConsumeSession::producer_failed(std::string_view step, const Error& e) {
  if (!run_.takes_producer_failure()) return;  // the first failure counts; the rest follow
  std::string text = e.message;
  const std::string prefix = "fatal producer error: ";
  if (text.rfind(prefix, 0) == 0) text.erase(0, prefix.size());
  const auto decision = committer_->on_producer_failure(e);
  if (decision.recover) {
    run_.on(pipeline::run_event::RecoveryDue{fmt::format("{}: {}", step, text),
                                             Clock::now() + decision.backoff, decision.attempt});
    return;
  }
  const std::string& id = committer_->transactional_id();
  if (!id.empty() && kafka::producer_fenced(e)) {
    text += " (transactional.id '" + id + "' fenced by another process using it)";
  }
  if (!decision.reason.empty()) text += "; not recovered: " + decision.reason;
  set_fatal(fmt::format("fatal producer error in {}: {}", step, text));
}

void ConsumeSession::record_commit_latency(PartitionState& ps, TimePoint now) {
  for (const auto& [offset, consumed_at] : ps.uncommitted)
    commit_latency_.record(now - consumed_at);
  ps.uncommitted.clear();
}

std::optional<std::uint64_t> ConsumeSession::running_epoch(std::int32_t partition) const {
  auto it = partitions_.find(partition);
  if (it == partitions_.end() || it->second.restoring()) return std::nullopt;
  return it->second.epoch;
}

bool ConsumeSession::busy(bool count_halted) const {
  if (outbox_.in_flight() > 0 || committer_->checkpoints_in_flight() > 0) return true;
  for (const auto& [p, ps] : partitions_) {
    if (ps.restoring()) return true;
    if (!count_halted && ps.pipeline->halted()) continue;
    if (ps.pipeline->queued() > 0 || ps.pipeline->dead_letters_in_flight() > 0) return true;
  }
  return false;
}

bool ConsumeSession::idle_for(std::chrono::microseconds idle) const {
  const auto now = Clock::now();
  if (busy(false) || now - last_activity_ < idle) return false;
  // Joining the group takes a moment; without partitions yet, allow for it before calling it idle.
  return !partitions_.empty() || now - started_ >= std::max<Clock::duration>(idle, kJoinGrace);
}

std::chrono::milliseconds ConsumeSession::poll_timeout(TimePoint now) const {
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(kMaxPollWait);
  auto until = [&](TimePoint t) {
    wait = std::min(std::chrono::ceil<std::chrono::milliseconds>(util::time_left(t, now)), wait);
  };
  for (const auto& [p, ps] : partitions_) {
    if (ps.pipeline) {
      if (auto t = ps.pipeline->next_wakeup()) until(*t);
    }
  }
  if (auto t = schedule_.deadline()) until(*t);
  return wait;
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
  auto it = partitions_.find(msg.partition());
  if (it == partitions_.end()) return;  // not (or no longer) ours
  // An upper estimate of all that is held (exact again at each update_pauses): the pause of every
  // partition comes right after the record that filled the total, not after the poll batch,
  // and is counted with that record held.
  const bool total_reached = flow_.record_taken(msg.len() + msg.key_len());
  if (it->second.restoring()) {
    // Held until its checkpoint is restored: kept when reading starts where librdkafka started
    // fetching, dropped when a seek moves it.
    it->second.held_bytes += msg.len() + msg.key_len();
    it->second.held.push_back(std::move(msg));
    if (total_reached) update_pauses();
    return;
  }
  accept(it->second, msg);
  if (total_reached) update_pauses();
  pause_if_full(it->first, it->second);
}

void ConsumeSession::pause_if_full(std::int32_t partition, const PartitionState& ps) {
  if (!ps.pipeline || !flow_.after_record(partition, ps.pipeline->usage())) return;
  if (Error e = consumer_->pause({{opt_.topic, partition, kafka::kOffsetInvalid}})) {
    spdlog::warn("pause failed: {}", e.message);
    flow_.pause_failed(partition);
  }
}

void ConsumeSession::accept(PartitionState& ps, const kafka::Message& msg) {
  auto [end, inserted] = taken_end_.try_emplace(msg.partition(), 0);
  const bool fresh = msg.offset() >= end->second;
  // Beyond --max-messages only records taken before (a rewind brings them back) are taken again.
  if (fresh && max_messages_reached()) return;  // not tracked
  const auto now = Clock::now();
  if (ps.verify && !verify_anchor(msg.partition(), ps, msg)) return;  // started over, or fatal
  if (ps.durable_offset && msg.offset() < *ps.durable_offset) {       // covered already
    // Unless librdkafka reset a position the log no longer has (truncated or recreated under
    // the consumer): checked against the log, at most once a second.
    if (!ps.verify) check_log_behind(msg.partition(), ps, now);
    return;
  }
  const auto skipped = ps.pipeline->skipped();
  if (!ps.pipeline->push(kafka::to_record(msg), now)) {  // redelivered, or finished before
    metrics_.skipped_on_restore += ps.pipeline->skipped() - skipped;
    return;
  }
  if (!ps.durable_offset) ps.durable_offset = msg.offset();  // where a rewind returns
  if (!ps.anchor_candidate || ps.anchor_candidate->offset < *ps.durable_offset) {
    // The previous candidate is covered by a durable checkpoint now: it anchors the next ones.
    if (ps.anchor_candidate) ps.anchor = ps.anchor_candidate;
    const auto b = kafka::bytes_of(msg);
    ps.anchor_candidate = {msg.offset(),
                           pipeline::record_fingerprint(b.timestamp_ms, b.key, b.value)};
  }
  ++metrics_.consumed;
  if (fresh) {
    ++taken_distinct_;
    end->second = msg.offset() + 1;
  }
  ps.last_record_at = now;
  if (ps.reprocess_below && msg.offset() < *ps.reprocess_below) ++metrics_.reprocessed;
  if (!first_consumed_) first_consumed_ = now;
  last_activity_ = now;
}

void ConsumeSession::advance() {
  for (auto& [partition, ps] : partitions_) {
    if (ps.restoring()) continue;
    const auto now = Clock::now();
    auto step = ps.pipeline->run(now);
    for (const auto& d : step.decisions) apply(partition, ps, d, now);
    for (auto offset : step.write_dead_letters) write_dead_letter(ps, partition, offset);
    if (!step.decisions.empty()) last_activity_ = Clock::now();
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
  std::vector<pipeline::PartitionBacklog> backlogs;
  backlogs.reserve(partitions_.size());
  for (const auto& [partition, ps] : partitions_) {
    backlogs.push_back({partition,
                        {.restoring = ps.restoring(),
                         .awaiting_checkpoint = ps.phase.is(Phase::awaiting_checkpoint),
                         .held = ps.held.size(),
                         .held_bytes = ps.held_bytes,
                         .usage = ps.pipeline ? ps.pipeline->usage() : pipeline::WindowUsage{}}});
  }
  const auto action = flow_.evaluate(backlogs);
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
      for (auto p : action.pause) flow_.pause_failed(p);
    }
  }
  if (!action.resume.empty()) {
    if (Error e = consumer_->resume(of_topic(action.resume))) {
      spdlog::warn("resume failed: {}", e.message);
      for (auto p : action.resume) flow_.resume_failed(p);
    }
  }
}

void ConsumeSession::poll_once() {
  restore_partitions();
  const auto timeout = poll_timeout(Clock::now());
  for (int i = 0; i < kPollBatch && !run_.failed(); ++i) {
    auto msg = consumer_->consume(i == 0 ? timeout : 0ms);
    if (!msg) break;
    take(std::move(msg));
  }
  producer_->poll(0ms);
  committer_->reports_served();
  advance();
  update_pauses();
  check_stalls();
  if (schedule_.due(Clock::now())) committer_->commit_batch(nullptr, util::kFinalBudget, false);
  // at-least-once: offsets follow their checkpoints' acknowledgements (at most one async commit
  // per turn).
  if (Error e = committer_->commit_offsets(nullptr, false)) {
    spdlog::warn("Async commit failed: {}", e.message);
  }
  log_summary();
  publish_state();
}

std::uint64_t ConsumeSession::rolled_back_not_redone(bool finished) const {
  std::uint64_t n = 0;
  for (const auto& [p, ps] : partitions_) {
    if (finished && ps.pipeline) {
      n += ps.rolled_back.not_redone({ps.pipeline->commit_offset(), ps.pipeline->finished_above()});
    } else {
      n += ps.rolled_back.not_redone({ps.durable_offset, ps.durable_finished});
    }
    if (!finished && ps.pipeline) {
      // Finished and never committed (at-least-once: a checkpoint that could not be written).
      pipeline::RolledBack open;
      open.rewound({ps.pipeline->commit_offset(), ps.pipeline->finished_above()},
                   {ps.durable_offset, ps.durable_finished});
      n += open.not_redone({ps.durable_offset, ps.durable_finished});
    }
  }
  return n;
}

ConsumeResult ConsumeSession::run() {
  start();
  const char* why = "stop requested";
  while (true) {
    if (util::stop_requested()) break;
    if (run_.takes_producer_failure() && producer_->events().fatal_seen()) {
      producer_failed("the producer",
                      Error{kafka::ERR__FATAL, producer_->events().last_error(), true});
    }
    if (run_.recovering()) {
      recover_producer();
      continue;
    }
    if (run_.failed() || consumer_->events().fatal_seen()) {
      why = "fatal error";
      set_fatal("fatal consumer error: " + consumer_->events().last_error());
      break;
    }
    // Records an aborted commit rolled back are taken again and must be finished again first.
    if (max_messages_reached() && !busy() && rolled_back_not_redone(true) == 0) {
      why = "max messages reached";
      break;
    }
    if (opt_.idle_exit && idle_for(*opt_.idle_exit)) {
      why = "idle";
      break;
    }
    poll_once();
  }
  spdlog::info("Stopping ({})...", why);
  using namespace pipeline::run_event;
  run_.on(Stop{});      // during a producer recovery: fatal
  publish_state(true);  // /readyz says 503 from now on
  pipeline::RunEnd end;
  end.dlq_topic = opt_.dlq_topic;
  if (!run_.failed()) {
    const auto budget = util::stop_requested() ? util::kStopBudget : util::kFinalBudget;
    end.final_commit_attempted = true;
    end.final_batch_committed = committer_->commit_batch(nullptr, budget, true);
    if (Error e = committer_->commit_offsets(nullptr, true)) end.offsets_error = e.message;
  }
  end.dead_letters_unacknowledged = outbox_.in_flight();
  for (const auto& [p, ps] : partitions_) {
    if (ps.pipeline && ps.pipeline->halted()) ++end.dead_letters_unacknowledged;
  }
  end.finished_not_committed = rolled_back_not_redone();
  for (const auto& problem : pipeline::run_end_problems(end)) run_.on(problem);
  run_.on(Close{});
  // Leaves the group; the revoke hook drops the partitions' state.
  if (Error e = consumer_->close(util::stop_bounded(util::kFinalBudget))) {
    spdlog::warn("Leaving the group: {}", e.message);
  }
  finish_metrics();
  publish_state(true);  // the final figures, as the report has them
  return {metrics_, run_.problem()};
}

}  // namespace detail

ConsumeResult run_consume(const ConsumeOptions& options, pipeline::OrderProcessor& processor) {
  detail::ConsumeSession session(options, processor);
  return session.run();
}

}  // namespace consume
