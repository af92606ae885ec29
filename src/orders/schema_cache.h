#pragma once
// A bounded, time-limited map from a schema key (registry id, fingerprint) to what was learnt
// about it. Entries expire `ttl` after they were stored; the map holds at most `capacity`
// entries whose costs (the caller's estimate of their bytes) add up to at most `max_bytes`;
// when either bound is reached, the entries closest to expiry make room. The clock is the
// caller's (`now` arguments), so tests need no sleeping.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace orders {

struct CacheLimits {
  std::size_t capacity = 1000;
  std::chrono::steady_clock::duration ttl = std::chrono::minutes(10);
  std::size_t max_bytes = std::size_t{64} << 20;
};

// What orders::OrderReader keeps and asks (schema.registry.* properties in registry/settings.h).
struct SchemaLimits {
  // Usable writer schemas, by id; the same bounds apply to the map by fingerprint, which shares
  // the writers (so the writers take at most twice max_bytes, estimated).
  CacheLimits known;
  // Ids the source does not know, or whose schema cannot be used: kept briefly (a schema
  // registered a moment later is found), apart from the known ones (a flood of unknown ids
  // evicts only unknown ids).
  CacheLimits missing{1000, std::chrono::seconds(5), std::size_t{1} << 20};
  // Lookups of ids in neither map (a known id whose entry expired is asked again at once): a
  // record whose id cannot be asked now waits, as when the source is unavailable.
  double lookups_per_second = 10;
  double lookup_burst = 50;
  // Every reason kept (and so copied into dead letters) is cut to this.
  std::size_t max_reason_bytes = 500;
};

template <class Key, class Value>
class SchemaCache {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit SchemaCache(CacheLimits limits) : limits_(limits) {}

  // The live entry for `key`, or null (an expired one is dropped, and `expired` says so).
  const Value* find(const Key& key, TimePoint now, bool* expired = nullptr) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    if (it->second.expires <= now) {
      if (expired) *expired = true;
      erase(it);
      return nullptr;
    }
    return &it->second.value;
  }

  // Stores `value` (replacing any entry for `key`). An entry costing more than max_bytes is
  // still stored, alone: callers keep such entries out (OrderReader turns them into errors).
  const Value& put(const Key& key, Value value, TimePoint now, std::size_t cost = 1) {
    if (auto it = entries_.find(key); it != entries_.end()) erase(it);
    while (!entries_.empty() &&
           (entries_.size() >= limits_.capacity || bytes_ + cost > limits_.max_bytes)) {
      evict_one();
    }
    auto& e = entries_[key];
    e.value = std::move(value);
    e.expires = now + limits_.ttl;
    e.cost = cost;
    bytes_ += cost;
    return e.value;
  }

  // Like find, and a live entry is kept `ttl` from now: for keys whose meaning cannot change
  // (a fingerprint names one schema forever), so entries in use never expire.
  const Value* find_and_renew(const Key& key, TimePoint now) {
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.expires <= now) return find(key, now);
    it->second.expires = now + limits_.ttl;
    return &it->second.value;
  }

  std::size_t size() const { return entries_.size(); }
  std::size_t bytes() const { return bytes_; }
  const CacheLimits& limits() const { return limits_; }

 private:
  struct Entry {
    Value value;
    TimePoint expires;
    std::size_t cost = 0;
  };
  using Map = std::unordered_map<Key, Entry>;

  void erase(typename Map::iterator it) {
    bytes_ -= it->second.cost;
    entries_.erase(it);
  }

  // A scan: evictions are rare (the cache is sized for the writers in use) and the lookups that
  // cause them are rate-limited (OrderReader), so an ordered index would only cost the hits.
  void evict_one() {
    auto victim = entries_.begin();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.expires < victim->second.expires) victim = it;
    }
    if (victim != entries_.end()) erase(victim);
  }

  CacheLimits limits_;
  Map entries_;
  std::size_t bytes_ = 0;
};

}  // namespace orders
