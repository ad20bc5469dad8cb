// Random number streams. Each Monte Carlo path owns one generator seeded from
// (seed, path) alone (MODEL.md "Randomness"), so results do not depend on threads.
//
// xoshiro256++ (Blackman & Vigna) is small, fast and fully specified, so the
// same seed gives the same bits on every platform; the distributions on top are
// Boost.Random's, which are portable too (unlike std:: distributions).
#pragma once

#include <cstdint>
#include <limits>

namespace breakeven {

// SplitMix64 step: the standard way to expand a 64-bit seed into xoshiro state.
constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Xoshiro256pp {
 public:
  using result_type = std::uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  explicit Xoshiro256pp(std::uint64_t seed) {
    std::uint64_t sm = seed;
    for (auto& word : s_) word = splitmix64(sm);
  }

  result_type operator()() {
    const std::uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
  }
  std::uint64_t s_[4];
};

// The generator of path `path` in a run with seed `seed`.
inline Xoshiro256pp path_stream(std::uint64_t seed, std::uint64_t path) {
  std::uint64_t mix = seed;
  std::uint64_t key =
      splitmix64(mix) ^ (path * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL);
  return Xoshiro256pp(key);
}

}  // namespace breakeven
