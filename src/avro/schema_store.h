#pragma once
// Internal: the storage behind Schema handles. Only the parser and tests of internals use it.
#include <memory>
#include <vector>

#include "avro/schema.h"

namespace avro {

struct Schema::Store {
  std::vector<std::unique_ptr<Node>> nodes;  // stable addresses; nodes point at each other
};

}  // namespace avro
