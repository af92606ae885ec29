#pragma once
// What a registry's answers mean, from their status and body: pure, bounded, and the same code
// the client runs (tests/fuzz/registry_schema_fuzz.cpp feeds it arbitrary bodies). Bodies are
// read with a SAX parser that keeps only the top-level members asked for and refuses deep
// nesting, so a hostile body costs its length in time and nothing in memory beyond them.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "orders/order_reader.h"

namespace registry {

// Nesting beyond this in an answer is refused (real answers have two or three levels).
inline constexpr int kMaxAnswerNesting = 64;

struct Answer {
  int status = 0;
  std::string body;
  bool truncated = false;  // the body went past the size limit and was cut there
};

// GET /schemas/ids/{id}: found, unknown (404), refused (an answer with no usable Avro schema:
// too large, not Avro, not JSON) or unavailable (any other status: the registry's trouble).
orders::SchemaLookup schema_answer(const Answer& a, std::size_t max_schema_bytes,
                                   std::size_t max_response_bytes);

// The registry's own error ({"error_code":..,"message":..}) or the start of the body: the code
// (0 if none) and a bounded message "HTTP <status> (error <code>): <message>".
std::pair<int, std::string> error_of(const Answer& a);

// {"id": N} of POST /subjects/...: the id, or nullopt.
std::optional<std::uint32_t> id_of(const Answer& a);

}  // namespace registry
