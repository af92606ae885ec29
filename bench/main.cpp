// One micro_bench binary for all bench/*.cpp (CMake globs them); run by bench/bench.py with
// --benchmark_format=json.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
