#include "breakeven/samplers.hpp"

#include <algorithm>
#include <array>

namespace breakeven {
namespace {

// Hourly request counts are mostly below this: a table lookup, not a logarithm.
constexpr int kTable = 4096;

std::array<double, kTable> make_table() {
  std::array<double, kTable> t{};
  for (int k = 1; k < kTable; ++k) t[k] = t[k - 1] + std::log(double(k));
  return t;
}

const std::array<double, kTable> kLogFactorial = make_table();

}  // namespace

double log_factorial(double k) {
  if (k < kTable) return kLogFactorial[int(k)];
  // Stirling's series; for k >= 4096 the truncation error is far below 1e-16.
  const double x = k + 1.0;
  const double ix = 1.0 / x, ix2 = ix * ix;
  return (x - 0.5) * std::log(x) - x + 0.91893853320467274178 +
         ix * (1.0 / 12.0 - ix2 * (1.0 / 360.0 - ix2 / 1260.0));
}

void poisson_fill(Xoshiro256pp& gen, const double* mean, double* out, int n) {
  // Blocks small enough for the scratch to stay in L1.
  constexpr int kBlock = 256;
  // PTRS's constants b, a, vr (Hoermann's notation), one array each so that the
  // passes vectorize; per trial: us = 1/2 - |u - 1/2|, v, and the candidate k.
  double lam[kBlock], b[kBlock], a[kBlock], vr[kBlock], us[kBlock], v[kBlock];
  int queue[kBlock], rejected[kBlock];
  for (int first = 0; first < n; first += kBlock) {
    const int m = std::min(kBlock, n - first);
    std::copy_n(mean + first, m, lam);
    double* k = out + first;
    // Constants for every mean (small ones from 10, unused), vectorized: sqrt and
    // division are correctly rounded, so each lane has the scalar bits.
    for (int i = 0; i < m; ++i) {
      const double l = lam[i] > 10.0 ? lam[i] : 10.0;
      b[i] = 0.931 + 2.53 * std::sqrt(l);
      a[i] = -0.059 + 0.02483 * b[i];
      vr[i] = 0.9277 - 3.6224 / (b[i] - 2.0);
    }
    // One trial of mean i: its candidate k, and whether the squeeze accepts it
    // without logarithms (about 80% of trials). Not accepted: queued.
    int queued = 0;
    auto trial = [&](int i) {
      const double u = uniform01(gen) - 0.5;
      v[i] = uniform01(gen);
      us[i] = 0.5 - std::fabs(u);
      const double x = (2.0 * a[i] / us[i] + b[i]) * u + lam[i] + 0.43;
      // floor without a libm call; a candidate beyond 2^62 (only for huge means
      // and us near 0) has no probability a double can show: rejected.
      k[i] = x < 0.0 || x >= 0x1.0p62 ? -1.0 : double(static_cast<long long>(x));
      queue[queued] = i;
      queued += !(k[i] >= 0.0 && us[i] >= 0.07 && v[i] <= vr[i]);
    };
    for (int i = 0; i < m; ++i) {
      if (lam[i] >= 10.0 && lam[i] < kPoissonExactBelow) {
        trial(i);
      } else if (lam[i] > 0.0) {
        k[i] = lam[i] < 10.0 ? poisson_small(gen, lam[i]) : std::floor(lam[i]);
      } else {
        k[i] = 0.0;
      }
    }
    while (queued > 0) {
      // The full test of the queued trials: accept when
      // log(v) + log(1/alpha) - log(a/us^2 + b) <= -mean + k log(mean) - log(k!).
      int n_rejected = 0;
      for (int j = 0; j < queued; ++j) {
        const int i = queue[j];
        bool accepted = k[i] >= 0.0 && !(us[i] < 0.013 && v[i] > us[i]);
        if (accepted) {
          const double invalpha = 1.1239 + 1.1328 / (b[i] - 3.4);
          accepted = std::log(v[i] * invalpha / (a[i] / (us[i] * us[i]) + b[i])) <=
                     -lam[i] + k[i] * std::log(lam[i]) - log_factorial(k[i]);
        }
        rejected[n_rejected] = i;
        n_rejected += !accepted;
      }
      // A fresh trial for each rejected one, in order; those the squeeze does not
      // accept wait for the next round.
      queued = 0;
      for (int j = 0; j < n_rejected; ++j) trial(rejected[j]);
    }
  }
}

}  // namespace breakeven
