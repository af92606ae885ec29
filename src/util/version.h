#pragma once
// The version `orders --version` prints and the build-info metric reports.
namespace util {

inline constexpr const char* kVersion = "0.1.0";

}  // namespace util
