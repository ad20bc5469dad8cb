// Exact samplers on top of a 64-bit generator, faster than constructing a
// Boost distribution per draw (the rate changes every hour).
//
// Poisson: inversion by sequential search for small means; for means >= 10,
// Hoermann's PTRS transformed rejection with squeeze ("The transformed rejection
// method for generating Poisson random variables", Insurance: Mathematics and
// Economics 12, 1993), the algorithm numpy also uses. Both are exact. The engine
// draws a workload's counts for all hours at once (poisson_fill), which lets the
// arithmetic of many trials run in vector registers.
#pragma once

#include <cmath>
#include <cstdint>

#include "breakeven/rng.hpp"

namespace breakeven {

// Uniform on [0, 1) with 53 random bits.
template <class Gen>
inline double uniform01(Gen& gen) {
  return double(gen() >> 11) * 0x1.0p-53;
}

// log(k!) : a table for small k, Stirling's series beyond.
double log_factorial(double k);

template <class Gen>
double poisson_small(Gen& gen, double mean) {
  // Inversion: the first k with U <= P(N <= k).
  const double enlam = std::exp(-mean);
  double prod = 1.0;
  double k = 0.0;
  while (true) {
    prod *= uniform01(gen);
    if (prod <= enlam) return k;
    k += 1.0;
  }
}

// Above this mean the Poisson's relative spread (1/sqrt(mean) < 1.5e-8) is below
// what a plan can see, and PTRS's integer arithmetic would overflow: N = mean.
inline constexpr double kPoissonExactBelow = 0x1.0p52;

// out[i] ~ Poisson(mean[i]) for i < n, independent; `out` may be `mean`.
//
// Blocks of means go through PTRS in rounds: the constants of every mean in one
// vectorized pass; each large mean's first trial (a small mean's whole inversion,
// in place) in order; then, while trials are left that the squeeze did not accept,
// their logarithmic test, and a fresh trial for each one it rejects, in order. So
// the draws come in a fixed order whatever the vector width.
void poisson_fill(Xoshiro256pp& gen, const double* mean, double* out, int n);

}  // namespace breakeven
