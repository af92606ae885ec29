#pragma once
// (Being replaced by the asynchronous pipeline::Processor of processor.h.)
// The business step applied to each valid order. The simulated processor stands in for real
// work; a real one (calling another system) implements the same interface. It must say whether
// a failure is worth retrying: transient errors are retried with backoff, permanent ones are
// dead-lettered at once.
#include "orders/order.h"
#include "pipeline/processor.h"

namespace pipeline {

class OrderProcessor {
 public:
  virtual ~OrderProcessor() = default;
  // `attempt` counts from 1. Must not throw; a thrown exception is treated as a transient error.
  virtual ProcessResult process(const orders::Order& order, int attempt) = 0;
};

}  // namespace pipeline
