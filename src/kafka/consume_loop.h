#pragma once
// Transitional: the consume application moves to src/consume/.
#include "consume/consume.h"

namespace kafka {
using consume::ConsumeOptions;
using consume::ConsumeResult;
using consume::Semantics;
}  // namespace kafka
