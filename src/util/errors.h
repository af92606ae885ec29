#pragma once
// What a run throws to end with a particular exit status (see cli/exit_status.h): a usage error
// (exit 2) or an interruption before any work was done (exit 130). Anything else is a failure.
#include <stdexcept>

namespace util {

// A bad value given by the user that the flag parser could not catch (combinations, files).
class UsageError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Ctrl-C/SIGTERM before the run produced anything worth reporting.
class Interrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs `parse` (the pure parsers of user input throw std::invalid_argument) and rethrows such an
// error as a UsageError, so that it ends the run with the usage status.
template <class Parse>
void as_usage(Parse&& parse) {
  try {
    parse();
  } catch (const UsageError&) {
    throw;
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

}  // namespace util
