// Exact samplers on top of a 64-bit generator, faster than constructing a
// Boost distribution per draw (the rate changes every hour).
//
// Poisson: inversion by sequential search for small means; for means >= 10,
// Hoermann's PTRS transformed rejection with squeeze ("The transformed rejection
// method for generating Poisson random variables", Insurance: Mathematics and
// Economics 12, 1993), the algorithm numpy also uses. Both are exact.
#pragma once

#include <cmath>
#include <cstdint>

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

template <class Gen>
double poisson_ptrs(Gen& gen, double mean) {
  const double slam = std::sqrt(mean);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2.0);
  double loglam = -1.0;  // computed on the first slow-path test only
  while (true) {
    const double u = uniform01(gen) - 0.5;
    const double v = uniform01(gen);
    const double us = 0.5 - std::fabs(u);
    const double x = (2.0 * a / us + b) * u + mean + 0.43;
    if (x < 0.0) continue;  // k = floor(x) < 0: rejected
    // floor of a non-negative double below 2^63, without a libm call
    const double k = double(static_cast<long long>(x));
    if (us >= 0.07 && v <= vr) return k;  // squeeze: accepted without logarithms
    if (us < 0.013 && v > us) continue;
    if (loglam < 0.0) loglam = std::log(mean);  // mean >= 10, so log(mean) > 0
    // log(v) + log(invalpha) - log(a/us^2 + b), with one logarithm
    if (std::log(v * invalpha / (a / (us * us) + b)) <=
        -mean + k * loglam - log_factorial(k))
      return k;
  }
}

// Above this mean the Poisson's relative spread (1/sqrt(mean) < 1.5e-8) is below
// what a plan can see, and PTRS's integer arithmetic would overflow: N = mean.
inline constexpr double kPoissonExactBelow = 0x1.0p52;

// N ~ Poisson(mean), mean >= 0.
template <class Gen>
double poisson(Gen& gen, double mean) {
  if (!(mean > 0.0)) return 0.0;
  if (mean >= kPoissonExactBelow) return std::floor(mean);
  return mean < 10.0 ? poisson_small(gen, mean) : poisson_ptrs(gen, mean);
}

}  // namespace breakeven
