#pragma once
// A librdkafka message viewed as a plain record (copies key, value and headers out of it).
#include <librdkafka/rdkafkacpp.h>

#include "common/record.h"

namespace kafka {

using Record = common::Record;

// `msg` must carry no error.
Record to_record(const RdKafka::Message& msg);

}  // namespace kafka
