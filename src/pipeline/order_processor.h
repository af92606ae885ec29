#pragma once
// The business step applied to each valid order. The simulated processor stands in for real
// work; a real one (calling another system) implements the same interface. It must say whether
// a failure is worth retrying: transient errors are retried with backoff, permanent ones are
// dead-lettered at once.
#include <string>

#include "orders/order.h"

namespace pipeline {

struct ProcessResult {
  enum class Kind { ok, transient, permanent };
  Kind kind = Kind::ok;
  std::string error;  // empty when ok

  static ProcessResult success() { return {Kind::ok, {}}; }
  static ProcessResult transient(std::string e) { return {Kind::transient, std::move(e)}; }
  static ProcessResult permanent(std::string e) { return {Kind::permanent, std::move(e)}; }
  bool operator==(const ProcessResult&) const = default;
};

class OrderProcessor {
 public:
  virtual ~OrderProcessor() = default;
  // `attempt` counts from 1. Must not throw; a thrown exception is treated as a transient error.
  virtual ProcessResult process(const orders::Order& order, int attempt) = 0;
};

}  // namespace pipeline
