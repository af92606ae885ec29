#pragma once
// A single self-overwriting status line on stderr for long runs; does nothing unless stderr is a
// terminal (logs and pipes stay clean).
#include <string_view>

namespace produce {

class ProgressLine {
 public:
  // Shown only if `wanted` and stderr is a TTY.
  explicit ProgressLine(bool wanted);
  ~ProgressLine() { clear(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  bool enabled() const { return enabled_; }
  void show(std::string_view text);
  // Erases the line (before the final report or a log line).
  void clear();

 private:
  bool enabled_;
  bool shown_ = false;
};

}  // namespace produce
