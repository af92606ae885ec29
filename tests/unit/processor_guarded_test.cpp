#include <gtest/gtest.h>

#include <stdexcept>

#include "pipeline/processor.h"

using pipeline::ProcessResult;

TEST(Guarded, AThrowingProcessorFailsTheAttemptTransiently) {
  EXPECT_EQ(pipeline::guarded([] { return ProcessResult::permanent("no"); }),
            ProcessResult::permanent("no"));
  EXPECT_EQ(pipeline::guarded([]() -> ProcessResult { throw std::runtime_error("db down"); }),
            ProcessResult::transient("processor threw: db down"));
  EXPECT_EQ(pipeline::guarded([]() -> ProcessResult { throw 42; }),
            ProcessResult::transient("processor threw a non-standard exception"));
}
