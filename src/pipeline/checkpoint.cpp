#include "pipeline/checkpoint.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

namespace pipeline {

std::string checkpoint_key(std::string_view group, std::string_view topic, std::int32_t partition) {
  return std::string(group) + "/" + legacy_checkpoint_key(topic, partition);
}

std::string legacy_checkpoint_key(std::string_view topic, std::int32_t partition) {
  return std::string(topic) + "/" + std::to_string(partition);
}

std::optional<CheckpointKey> parse_checkpoint_key(std::string_view key) {
  const auto slash = key.rfind('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == key.size()) return {};
  const std::string_view digits = key.substr(slash + 1);
  std::int32_t partition = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), partition);
  if (ec != std::errc() || end != digits.data() + digits.size() || partition < 0) return {};
  if (digits.size() > 1 && digits[0] == '0') return {};  // one spelling per partition
  const std::string_view head = key.substr(0, slash);
  const auto before = head.rfind('/');
  if (before == std::string_view::npos) return CheckpointKey{{}, std::string(head), partition};
  // The group is everything before the topic, '/' included; neither may be empty.
  if (before == 0 || before + 1 == head.size()) return {};
  return CheckpointKey{std::string(head.substr(0, before)), std::string(head.substr(before + 1)),
                       partition};
}

namespace {

nlohmann::json encode_finished(const Checkpoint& c) {
  nlohmann::json deltas = nlohmann::json::array();
  std::int64_t prev = c.offset;
  for (auto o : c.finished.unfinished) {
    deltas.push_back(o - prev);
    prev = o;
  }
  return {{"through", c.finished.through}, {"unfinished", std::move(deltas)}};
}

FinishedSet decode_finished(const nlohmann::json& j, std::int64_t offset) {
  FinishedSet s;
  s.from = offset;
  s.through = j.at("through").get<std::int64_t>();
  if (s.through <= offset) throw CheckpointError("finished_above.through is not above the offset");
  const auto& deltas = j.at("unfinished");
  if (!deltas.is_array() || deltas.size() >= static_cast<std::uint64_t>(s.through - offset)) {
    throw CheckpointError("finished_above.unfinished is not a list shorter than its span");
  }
  std::int64_t at = offset;
  s.unfinished.reserve(deltas.size());
  for (const auto& d : deltas) {
    const auto delta = d.get<std::int64_t>();
    if (delta <= 0 || delta >= s.through - at) {
      throw CheckpointError("finished_above.unfinished holds an offset out of order or range");
    }
    at += delta;
    s.unfinished.push_back(at);
  }
  return s;
}

RecordAnchor decode_anchor(const nlohmann::json& j, std::int64_t offset) {
  RecordAnchor a;
  a.offset = j.at("offset").get<std::int64_t>();
  const auto hex = j.at("fingerprint").get<std::string>();
  if (a.offset < 0 || a.offset >= offset)
    throw CheckpointError("anchor.offset is not below the offset");
  if (hex.size() != 16 || hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
    throw CheckpointError("anchor.fingerprint is not 16 hex digits");
  }
  a.fingerprint = std::stoull(hex, nullptr, 16);
  return a;
}

std::string encode_with(const Checkpoint& c, const stats::Aggregate& aggregate) {
  const bool v2 = c.finished.through > c.offset;
  const int version = aggregate.other().count > 0 ? 3 : v2 ? 2 : 1;
  nlohmann::json j = {{"version", version},
                      {"topic", c.topic},
                      {"partition", c.partition},
                      {"offset", c.offset},
                      {"group", c.group},
                      {"written_at_ms", c.written_at_ms},
                      {"aggregate", aggregate.to_json()}};
  if (v2) j["finished_above"] = encode_finished(c);
  if (c.anchor && c.anchor->offset < c.offset) {
    j["anchor"] = {{"offset", c.anchor->offset},
                   {"fingerprint", fmt::format("{:016x}", c.anchor->fingerprint)}};
  }
  // Invalid UTF-8 in a product name is replaced, never thrown on: a checkpoint is always written.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string encode_checkpoint(const Checkpoint& c, std::size_t max_bytes) {
  std::string value = encode_with(c, c.aggregate);
  if (value.size() <= max_bytes || c.aggregate.by_product().empty()) return value;
  // Too large: keep the most counted products that fit (binary search on how many).
  auto folded = [&](std::size_t keep) {
    stats::Aggregate a = c.aggregate;
    a.fold_products(keep);
    return encode_with(c, a);
  };
  std::size_t lo = 0, hi = c.aggregate.by_product().size() - 1;  // `hi + 1` names are too many
  std::string best = folded(0);
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo + 1) / 2;
    std::string attempt = folded(mid);
    if (attempt.size() <= max_bytes) {
      lo = mid;
      best = std::move(attempt);
    } else {
      hi = mid - 1;
    }
  }
  return best;
}

Checkpoint decode_checkpoint(std::string_view value) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(value);
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(std::string("checkpoint is not JSON: ") + e.what());
  }
  if (!j.is_object()) throw CheckpointError("checkpoint is not a JSON object");
  try {
    const auto version = j.at("version").get<int>();
    if (version < 1 || version > kCheckpointVersion) {
      throw CheckpointError("checkpoint format version " + std::to_string(version) +
                            " is not supported (this build reads version " +
                            std::to_string(kCheckpointVersion) + ")");
    }
    Checkpoint c;
    c.topic = j.at("topic").get<std::string>();
    c.partition = j.at("partition").get<std::int32_t>();
    c.offset = j.at("offset").get<std::int64_t>();
    c.group = j.value("group", std::string());
    c.written_at_ms = j.value("written_at_ms", std::int64_t{0});
    if (c.topic.empty() || c.partition < 0 || c.offset < 0) {
      throw CheckpointError("checkpoint has an empty topic or a negative partition/offset");
    }
    c.aggregate = stats::Aggregate::from_json(j.at("aggregate"));
    if (version >= 2 && j.contains("finished_above")) {
      c.finished = decode_finished(j.at("finished_above"), c.offset);
    }
    if (j.contains("anchor")) c.anchor = decode_anchor(j.at("anchor"), c.offset);
    return c;
  } catch (const CheckpointError&) {
    throw;
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(std::string("malformed checkpoint: ") + e.what());
  } catch (const std::invalid_argument& e) {
    throw CheckpointError(std::string("malformed checkpoint: ") + e.what());
  }
}

}  // namespace pipeline
