#include "pipeline/dead_letter.h"

#include <array>
#include <charconv>
#include <string_view>
#include <vector>

namespace pipeline {
namespace {

// Keeps a header's text bounded; error messages come from decoders and processors.
constexpr std::size_t kMaxMessageBytes = 4096;
constexpr std::size_t kMaxQuotedBytes = 64;

std::string bounded(std::string s, std::size_t max_bytes = kMaxMessageBytes) {
  if (s.size() <= max_bytes) return s;
  std::size_t cut = max_bytes;
  // Do not split a UTF-8 sequence: back up over continuation bytes.
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s + "...";
}

// from_chars reports values beyond Int as errors (no wrap-around).
template <typename Int>
bool parse_int(std::string_view s, Int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

template <typename Int>
bool parse_non_negative(std::string_view s, Int& out) {
  return parse_int(s, out) && out >= 0;
}

}  // namespace

std::string quoted_value(std::string_view value) {
  return bounded(std::string(value), kMaxQuotedBytes);
}

Headers dead_letter_headers(const SourceRecord& record, const DeadLetter& dead_letter,
                            const DeadLetterContext& context) {
  Headers h = record.headers;
  namespace k = dlq_header;
  h.emplace_back(k::kOriginalTopic, record.topic);
  h.emplace_back(k::kOriginalPartition, std::to_string(record.partition));
  h.emplace_back(k::kOriginalOffset, std::to_string(record.offset));
  h.emplace_back(k::kOriginalTimestamp, std::to_string(record.timestamp_ms));
  h.emplace_back(k::kErrorClass, std::string(to_string(dead_letter.error_class)));
  h.emplace_back(k::kErrorMessage, bounded(dead_letter.message));
  h.emplace_back(k::kAttempts, std::to_string(dead_letter.attempts));
  h.emplace_back(k::kFailedAt, std::to_string(context.failed_at_ms));
  h.emplace_back(k::kConsumerGroup, context.consumer_group);
  h.emplace_back(k::kHost, context.host);
  return h;
}

std::size_t dead_letter_size(std::size_t key_bytes, std::size_t value_bytes,
                             const Headers& headers) {
  constexpr std::size_t kFraming = 512;  // batch and record framing, varints (generous)
  std::size_t n = key_bytes + value_bytes + kFraming;
  for (const auto& [k, v] : headers) n += k.size() + v.size() + 10;
  return n;
}

DeadLetterMessage dead_letter_message(const SourceRecord& record, const DeadLetter& dead_letter,
                                      const DeadLetterContext& context, std::size_t max_bytes,
                                      bool omit_value) {
  const std::size_t key = record.key ? record.key->size() : 0;
  const std::size_t value = record.value ? record.value->size() : 0;
  DeadLetterMessage m{.headers = dead_letter_headers(record, dead_letter, context)};
  if (!omit_value && dead_letter_size(key, value, m.headers) <= max_bytes) return m;
  m.value_omitted = true;
  auto mark = [&](Headers& h) {
    h.emplace_back(dlq_header::kValueOmitted, "true");
    h.emplace_back(dlq_header::kOriginalValueSize, std::to_string(value));
  };
  mark(m.headers);
  if (dead_letter_size(key, 0, m.headers) <= max_bytes) return m;
  // The original headers are too large as well: only the dlq.* set stays.
  const SourceRecord bare{record.topic,
                          record.partition,
                          record.offset,
                          record.timestamp_ms,
                          std::nullopt,
                          std::nullopt,
                          {}};
  m.headers = dead_letter_headers(bare, dead_letter, context);
  mark(m.headers);
  m.headers.emplace_back(dlq_header::kHeadersOmitted, "true");
  if (dead_letter_size(key, 0, m.headers) <= max_bytes) return m;
  // A key near the limit on its own: else the partition would halt on a dead letter that can
  // never be written.
  m.key_omitted = true;
  m.headers.emplace_back(dlq_header::kKeyOmitted, "true");
  m.headers.emplace_back(dlq_header::kOriginalKeySize, std::to_string(key));
  return m;
}

ParsedDeadLetter parse_dead_letter_headers(const Headers& headers) {
  namespace k = dlq_header;
  const std::array<std::string_view, 10> keys = {k::kOriginalTopic,  k::kOriginalPartition,
                                                 k::kOriginalOffset, k::kOriginalTimestamp,
                                                 k::kErrorClass,     k::kErrorMessage,
                                                 k::kAttempts,       k::kFailedAt,
                                                 k::kConsumerGroup,  k::kHost};
  // Index of the last occurrence of each key; -1 while missing.
  std::array<long, 10> at;
  at.fill(-1);
  for (long i = static_cast<long>(headers.size()) - 1; i >= 0; --i) {
    for (std::size_t j = 0; j < keys.size(); ++j) {
      if (at[j] < 0 && headers[static_cast<std::size_t>(i)].first == keys[j]) at[j] = i;
    }
  }
  ParsedDeadLetter r;
  for (std::size_t j = 0; j < keys.size(); ++j) {
    if (at[j] < 0) {
      r.error = "missing header " + std::string(keys[j]);
      return r;
    }
  }
  auto value = [&](std::size_t j) -> const std::string& {
    return headers[static_cast<std::size_t>(at[j])].second;
  };
  DeadLetterInfo info;
  info.original_topic = value(0);
  auto bad = [&](std::size_t j) {
    r.error = "bad value for " + std::string(keys[j]) + ": '" + quoted_value(value(j)) + "'";
    return r;
  };
  if (!parse_non_negative(value(1), info.original_partition)) return bad(1);
  if (!parse_non_negative(value(2), info.original_offset)) return bad(2);
  if (!parse_int(value(3), info.original_timestamp_ms)) return bad(3);
  auto cls = parse_error_class(value(4));
  if (!cls) return bad(4);
  info.error_class = *cls;
  info.error_message = value(5);
  if (!parse_non_negative(value(6), info.attempts)) return bad(6);
  if (!parse_int(value(7), info.failed_at_ms)) return bad(7);
  info.consumer_group = value(8);
  info.host = value(9);
  // The omission markers belong to the last set: they follow its dlq.host.
  std::vector<bool> ours(headers.size(), false);
  for (long a : at) ours[static_cast<std::size_t>(a)] = true;
  for (auto i = static_cast<std::size_t>(at[9]) + 1; i < headers.size(); ++i) {
    const auto& [name, v] = headers[i];
    if (name == k::kValueOmitted) {
      info.value_omitted = v == "true";
    } else if (name == k::kOriginalValueSize) {
      if (!parse_int(v, info.original_value_size)) info.original_value_size = -1;
    } else if (name == k::kKeyOmitted) {
      info.key_omitted = v == "true";
    } else if (name == k::kOriginalKeySize) {
      if (!parse_int(v, info.original_key_size)) info.original_key_size = -1;
    } else if (name != k::kHeadersOmitted) {
      continue;
    }
    ours[i] = true;
  }
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (!ours[i]) info.original_headers.push_back(headers[i]);
  }
  r.info = std::move(info);
  return r;
}

}  // namespace pipeline
