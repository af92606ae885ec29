#pragma once
// A consumed Kafka record as plain data, so the decision core never touches librdkafka. The
// same type kafka::to_record fills (no copy between the shell and the core).
#include "common/record.h"

namespace pipeline {

using Headers = common::Headers;
using SourceRecord = common::Record;

}  // namespace pipeline
