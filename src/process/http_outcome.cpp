#include "process/http_outcome.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "process/retry_after.h"
#include "util/bounded_text.h"

namespace process {
namespace {

using pipeline::ProcessResult;
using Kind = ProcessResult::Kind;

std::optional<Kind> outcome_kind(const std::optional<std::string>& header) {
  if (!header) return std::nullopt;
  std::string v;
  for (const char c : *header) {
    if (c != ' ' && c != '\t') v += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (v == "processed") return Kind::ok;
  if (v == "retry") return Kind::transient;
  if (v == "dead-letter") return Kind::permanent;
  return std::nullopt;
}

std::string_view no_answer_text(NoAnswer why) {
  switch (why) {
    case NoAnswer::timeout:
      return "no answer within the timeout";
    case NoAnswer::refused:
      return "could not connect";
    case NoAnswer::reset:
      return "the connection broke before the answer";
    case NoAnswer::resolve:
      return "the host name does not resolve";
    case NoAnswer::tls:
      return "TLS failed";
    case NoAnswer::other:
      break;
  }
  return "no answer";
}

}  // namespace

std::string ascii_excerpt(std::string_view bytes, std::size_t max) {
  const std::string cut = util::bounded_text(bytes, max);
  std::string out;
  out.reserve(cut.size());
  for (const char c : cut) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F) {
      out += c;
    } else {
      out += fmt::format("\\x{:02x}", u);
    }
  }
  return out;
}

Kind status_kind(long status) {
  if (status >= 200 && status <= 299) return Kind::ok;
  if (status == 408 || status == 425 || status == 429 || (status >= 500 && status <= 599)) {
    return Kind::transient;
  }
  return Kind::permanent;
}

ProcessResult classify_answer(const HttpAnswer& a, std::chrono::system_clock::time_point now) {
  const auto override_kind = outcome_kind(a.outcome);
  const Kind kind = override_kind.value_or(status_kind(a.status));
  if (kind == Kind::ok) return ProcessResult::success();
  std::string error = fmt::format("HTTP {}", a.status);
  if (override_kind)
    error +=
        fmt::format(" ({}: {})", kOutcomeHeader, kind == Kind::transient ? "retry" : "dead-letter");
  if (!a.body.empty()) {
    error += ": ";
    // Cut at the excerpt's bound; a body the processor had cut already says so too.
    error += ascii_excerpt(a.body, kBodyExcerptBytes);
    if (a.body_cut && a.body.size() <= kBodyExcerptBytes) error += "...";
  }
  if (kind == Kind::permanent) return ProcessResult::permanent(std::move(error));
  ProcessResult r = ProcessResult::transient(std::move(error));
  if (a.retry_after) r.retry_after = parse_retry_after(*a.retry_after, now);
  return r;
}

ProcessResult classify_no_answer(NoAnswer why, std::string_view detail) {
  std::string error(no_answer_text(why));
  if (!detail.empty()) error += ": " + ascii_excerpt(detail, kBodyExcerptBytes);
  return ProcessResult::unanswered(std::move(error));
}

}  // namespace process
