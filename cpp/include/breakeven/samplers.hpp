// Exact samplers on top of a 64-bit generator, faster than constructing a
// Boost distribution per draw (the rate changes every hour), and batched: the
// engine draws a workload's values for all hours at once, which lets the
// arithmetic of many draws run apart from the generator's serial chain.
//
// Normal: Marsaglia and Tsang's ziggurat ("The ziggurat method for generating
// random variables", J. Statistical Software 5(8), 2000) with 256 layers.
// Poisson: inversion by sequential search for means below 10; above, Ahrens and
// Dieter's algorithm PD ("Computer generation of Poisson deviates from modified
// normal distributions", ACM TOMS 8(2), 1982), the algorithm R's rpois uses: a
// rounded normal accepted at once or by a cubic squeeze for all but ~0.3% of draws.
// All of them are exact; PD's rare tests use the exact Poisson probability, not
// the paper's 7-digit polynomial.
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

// One standard normal deviate.
double standard_normal(Xoshiro256pp& gen);

// out[i] ~ Normal(0, 1) for i < n, independent. The ziggurat's fast test for a
// block of draws first; the ~1% it does not accept are finished in order.
void normal_fill(Xoshiro256pp& gen, double* out, int n);

// Above this mean the Poisson's relative spread (1/sqrt(mean) < 1.5e-8) is below
// what a plan can see: N = mean, drawn without randomness.
inline constexpr double kPoissonExactBelow = 0x1.0p52;

// out[i] ~ Poisson(mean[i]) for i < n, independent; `out` may be `mean`.
// root_mean[i] is sqrt(mean[i]) up to rounding (callers often know it for less
// than a square root costs: the rate's factors' roots are known in advance).
//
// In blocks: the normals of every mean >= 10 (normal_fill); the inversions of the
// small means, in order; then, in order, each large mean's squeeze uniform where
// the rounded normal is not accepted at once, and PD's full tests where the
// squeeze does not accept either. So the draws come in a fixed order.
void poisson_fill(Xoshiro256pp& gen, const double* mean, const double* root_mean,
                  double* out, int n);

}  // namespace breakeven
