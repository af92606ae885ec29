#pragma once
// The imperative shell of `orders consume`: polls the source topic, feeds each partition's
// decision core (pipeline::PartitionPipeline), writes dead letters, pauses partitions whose head
// record waits for a retry (polling continues, so the member stays in its group), checkpoints
// every partition's aggregate to the compacted aggregates topic and commits finished offsets.
//
// exactly-once: per batch, the dead letters, the checkpoints and the consumed offsets
//   (send_offsets_to_transaction with the group metadata) commit in one Kafka transaction. An
//   abortable error aborts it, rewinds every partition to its last committed checkpoint (seek +
//   restore) and continues; a fatal error (e.g. fenced by another process with the same
//   transactional.id) ends the run with a problem.
// at-least-once: dead letters and checkpoints are written by an idempotent producer; a
//   partition's offset is committed only up to its last acknowledged checkpoint.
// In both modes a newly assigned partition first restores its checkpoint (pipeline/start_plan.h)
// and only then processes records; on revoke its work is committed, then its state dropped.
#include "consume/options.h"
#include "pipeline/processor.h"

namespace consume {

// Runs until SIGINT/SIGTERM (util::stop_requested), --max-messages or --idle-exit. Throws
// KafkaException / ConfigError when it cannot start (bad config, broker unreachable).
ConsumeResult run_consume(const ConsumeOptions& options, pipeline::Processor& processor);

}  // namespace consume
