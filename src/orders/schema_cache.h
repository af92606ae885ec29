#pragma once
// A bounded, time-limited map from a schema key (registry id, fingerprint) to what was learnt
// about it. Entries expire `ttl` after they were stored; when full, the entry closest to expiry
// makes room. The clock is the caller's (`now` arguments), so tests need no sleeping.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace orders {

struct CacheLimits {
  std::size_t capacity = 1000;
  std::chrono::steady_clock::duration ttl = std::chrono::minutes(10);
};

template <class Key, class Value>
class SchemaCache {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit SchemaCache(CacheLimits limits) : limits_(limits) {}

  // The live entry for `key`, or null (an expired one is dropped).
  const Value* find(const Key& key, TimePoint now) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    if (it->second.expires <= now) {
      entries_.erase(it);
      return nullptr;
    }
    return &it->second.value;
  }

  const Value& put(const Key& key, Value value, TimePoint now) {
    entries_.erase(key);
    if (limits_.capacity > 0 && entries_.size() >= limits_.capacity) evict_one();
    auto& e = entries_[key];
    e.value = std::move(value);
    e.expires = now + limits_.ttl;
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

 private:
  struct Entry {
    Value value;
    TimePoint expires;
  };

  void evict_one() {
    auto victim = entries_.begin();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.expires < victim->second.expires) victim = it;
    }
    if (victim != entries_.end()) entries_.erase(victim);
  }

  CacheLimits limits_;
  std::unordered_map<Key, Entry> entries_;
};

}  // namespace orders
