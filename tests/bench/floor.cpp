// The physical floor of the random draws: nanoseconds per 64-bit output of the
// engine's generator (xoshiro256++) on this CPU, with nothing done to the bits.
// tests/bench/run.py compiles and runs it.
#include <chrono>
#include <cstdint>
#include <cstdio>

#include "breakeven/rng.hpp"

int main() {
  constexpr long kDraws = 400'000'000;
  breakeven::Xoshiro256pp gen(1);
  std::uint64_t sink = 0;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < kDraws; ++i) sink ^= gen();
  const std::chrono::duration<double, std::nano> took =
      std::chrono::steady_clock::now() - start;
  std::printf("{\"ns_per_draw\": %.4f, \"sink\": %llu}\n", took.count() / kDraws,
              static_cast<unsigned long long>(sink & 1));
}
