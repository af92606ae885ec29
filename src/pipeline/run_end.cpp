#include "pipeline/run_end.h"

#include <fmt/format.h>

namespace pipeline {

std::vector<run_event::Problem> run_end_problems(const RunEnd& end) {
  std::vector<run_event::Problem> out;
  if (end.final_commit_attempted) {
    if (!end.final_batch_committed) {
      // Built with fmt: GCC 12's -Wstringop-overread misreads the literal's move at -O2.
      out.push_back(
          {fmt::format("final commit failed: the last batch will be processed again "
                       "by the {}",
                       "next owner")});
    }
    if (end.offsets_error) out.push_back({"final commit failed: " + *end.offsets_error, true});
  }
  if (end.finished_not_committed > 0) {
    out.push_back({fmt::format(
        "{} finished record(s) not committed (a commit failed, or an aborted one was not "
        "redone); they will be processed again by the next run",
        end.finished_not_committed)});
  }
  if (end.dead_letters_unacknowledged > 0) {
    out.push_back(
        {fmt::format("{} dead letter(s) not acknowledged by '{}'; their offsets were "
                     "not committed and will be consumed again",
                     end.dead_letters_unacknowledged, end.dlq_topic)});
  }
  return out;
}

}  // namespace pipeline
