// What both committers share: checkpoints of a running partition, waiting for reports.
#include "consume/committer.h"

#include "consume/checkpoint_committer.h"
#include "consume/transactional_committer.h"
#include "util/wall_clock.h"

namespace consume::detail {

using namespace std::chrono_literals;

std::unique_ptr<Committer> make_committer(Semantics semantics, CommitHost& host) {
  if (semantics == Semantics::exactly_once) return std::make_unique<TransactionalCommitter>(host);
  return std::make_unique<CheckpointCommitter>(host);
}

pipeline::Checkpoint checkpoint_at(const ConsumeOptions& opt, std::int32_t partition,
                                   std::int64_t offset, const PartitionState& ps) {
  const auto& pipe = *ps.pipeline;
  pipeline::Checkpoint c;
  c.topic = opt.topic;
  c.partition = partition;
  c.offset = offset;
  c.aggregate = pipe.aggregate();
  c.group = opt.group;
  c.written_at_ms = util::wall_ms();
  c.finished = pipe.finished_above();
  if (ps.anchor_candidate && ps.anchor_candidate->offset < offset) {
    c.anchor = ps.anchor_candidate;
  } else if (ps.anchor && ps.anchor->offset < offset) {
    c.anchor = ps.anchor;
  }
  return c;
}

kafka::Error produce_checkpoint(CommitHost& host, const pipeline::Checkpoint& c) {
  const auto& opt = host.options();
  kafka::Error e = host.producer().produce(
      opt.aggregates_topic, pipeline::checkpoint_key(opt.group, opt.topic, c.partition),
      pipeline::encode_checkpoint(c));
  if (e) host.check_aggregates_topic(e.code);
  return e;
}

Followup producer_failure(std::string step, kafka::Error e) {
  Followup f = Followup::failed();
  f.producer_failure = Followup::ProducerFailure{std::move(step), std::move(e)};
  return f;
}

bool await_reports(kafka::Producer& producer, std::chrono::milliseconds budget,
                   const std::function<bool()>& pending, const std::function<bool()>& give_up) {
  const auto deadline = Clock::now() + budget;
  while (pending() && Clock::now() < deadline && !give_up()) producer.poll(20ms);
  producer.poll(0ms);
  return !pending();
}

}  // namespace consume::detail
