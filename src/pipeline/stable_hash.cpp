#include "pipeline/stable_hash.h"

namespace pipeline {

std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t h) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double unit_roll(std::string_view key) {
  return static_cast<double>(mix64(fnv1a64(key)) >> 11) * 0x1.0p-53;
}

}  // namespace pipeline
