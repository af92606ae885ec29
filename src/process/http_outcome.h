#pragma once
// What an answer of the --process service means for the record (see docs/processing.md):
//   2xx                          -> ok
//   408, 425, 429, 5xx           -> transient (retried with backoff; Retry-After honoured)
//   anything else (1xx, 3xx -- redirects are not followed --, other 4xx) -> permanent (DLQ)
//   no answer at all (timeout, refused or reset connection, DNS, TLS failure to connect)
//                                -> transient with no_answer (the outage gate counts it)
// The response header `Orders-Outcome: processed | retry | dead-letter` (value case-insensitive,
// blanks around it ignored) overrides the status class: processed -> ok, retry -> transient,
// dead-letter -> permanent. Any other value is ignored and the status decides, so a typo in a
// service cannot turn failures into successes. Retry-After is applied to transient results only.
//
// Error texts name the status and the start of the body: at most kBodyExcerptBytes bytes of it,
// every byte outside printable ASCII escaped as \xNN, so the text is safe in logs and DLQ headers.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/processor.h"

namespace process {

inline constexpr std::size_t kBodyExcerptBytes = 200;
inline constexpr std::string_view kOutcomeHeader = "Orders-Outcome";

// An answer that arrived (any status).
struct HttpAnswer {
  long status = 0;
  std::optional<std::string> outcome;      // the Orders-Outcome header, if any
  std::optional<std::string> retry_after;  // the Retry-After header, if any
  std::string_view body;                   // the start of the body (the processor bounds it)
  bool body_cut = false;                   // the body was longer than what was read
};

// Why no answer arrived (the processor maps libcurl's codes to these).
enum class NoAnswer {
  timeout,  // no complete answer within the request timeout
  refused,  // nothing listens, or the connect timed out
  reset,    // the connection broke: reset, closed before the answer, send/receive error
  resolve,  // the host name does not resolve
  tls,      // the TLS handshake failed or the certificate was refused
  other,    // anything else libcurl reports
};

pipeline::ProcessResult classify_answer(const HttpAnswer& answer,
                                        std::chrono::system_clock::time_point now);

// `detail`: the transport's own words (libcurl's error text), shown escaped and bounded.
pipeline::ProcessResult classify_no_answer(NoAnswer why, std::string_view detail);

// The status class alone: ok for 2xx, transient for 408/425/429/5xx, permanent otherwise.
pipeline::ProcessResult::Kind status_kind(long status);

// The text for logs and DLQ headers: printable ASCII only (others as \xNN), at most `max` bytes
// of `bytes` ("..." after a cut).
std::string ascii_excerpt(std::string_view bytes, std::size_t max);

}  // namespace process
