#pragma once
// A stable hash for deterministic decisions (simulated failures, jitter). Unlike std::hash it is
// the same on every platform and run, and is easy to re-implement (tests do so in Python):
//   roll(key) = (mix64(fnv1a64(key)) >> 11) / 2^53          -- a double in [0, 1)
// fnv1a64: offset basis 0xcbf29ce484222325, prime 0x100000001b3, over the key's bytes.
// mix64 (the splitmix64 finalizer) spreads FNV's weak high bits so that keys differing only in
// their last character ("7:ORD-1:1" vs "7:ORD-1:2") give independent rolls.
#include <cstdint>
#include <string_view>

namespace pipeline {

inline constexpr std::uint64_t kFnv1a64Basis = 0xcbf29ce484222325ULL;
// `h`: a hash to continue, so fnv1a64(b, fnv1a64(a)) == fnv1a64(a + b).
std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t h = kFnv1a64Basis);
std::uint64_t mix64(std::uint64_t z);
double unit_roll(std::string_view key);

}  // namespace pipeline
