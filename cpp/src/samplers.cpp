#include "breakeven/samplers.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <numbers>

namespace breakeven {
namespace {

constexpr double kInvSqrt2Pi = 0.398942280401432677939946059934;
constexpr int kBlock = 256;  // scratch per block stays in L1

// The ziggurat's 256 layers under f(x) = exp(-x^2/2), each of area v. Layer i >= 1
// is the rectangle [0, x[i]] x [f(x[i]), f(x[i+1])]; layer 0 is [0, r] x [0, f(r)]
// plus the tail beyond r = x[1], drawn as a strip of pseudo-width x[0] = v / f(r).
// x[256] = 0, f[256] = 1. 98.5% of draws fall inside their layer's rectangle and
// need nothing more. (1,024 layers, 99.6%, were no faster: a larger table.)
constexpr int kLayers = 256;
struct Ziggurat {
  std::array<double, kLayers + 1> x{}, f{};
};

Ziggurat make_ziggurat() {
  // r for 256 layers (Marsaglia and Tsang, 2000); v follows from r, and the
  // recursion below meets f = 1 at the top to within 1e-14.
  const double r = 3.6541528853610088;
  const double fr = std::exp(-0.5 * r * r);
  const double v = r * fr + std::sqrt(std::numbers::pi / 2) * std::erfc(r / std::sqrt(2.0));
  Ziggurat z;
  z.x[0] = v / fr;
  z.x[1] = r;
  for (int i = 1; i < kLayers - 1; ++i)
    z.x[i + 1] = std::sqrt(-2.0 * std::log(v / z.x[i] + std::exp(-0.5 * z.x[i] * z.x[i])));
  z.x[kLayers] = 0.0;
  for (int i = 0; i <= kLayers; ++i) z.f[i] = std::exp(-0.5 * z.x[i] * z.x[i]);
  return z;
}

const Ziggurat kZiggurat = make_ziggurat();

// A draw's bits: the layer from bits 0-7, the sign from bit 8, the position in
// the layer from the top 52 (as the mantissa of a double in [1, 2): no integer
// conversion, which x86-64's baseline vector instructions lack).
constexpr std::uint64_t kLayerBits = kLayers - 1, kSignBit = kLayers;
// Unsigned on purpose: an int index made the vectorized rectangle test 30% slower.
inline std::uint64_t layer(std::uint64_t bits) { return bits & kLayerBits; }
inline double candidate(std::uint64_t bits) {
  const double u = std::bit_cast<double>((bits >> 12) | 0x3ff0000000000000ULL) - 1.0;
  return u * kZiggurat.x[layer(bits)];
}
// The sign bit moved to the double's: a select would be an unpredictable branch.
inline double with_sign(std::uint64_t bits, double x) {
  return std::bit_cast<double>(std::bit_cast<std::uint64_t>(x) ^ ((bits & kSignBit) << 55));
}

// floor(x) for x >= 0 by adding and subtracting 2^52 (which rounds to an
// integer) and stepping down where that rounded up: exact, and it vectorizes.
inline double floor_nonnegative(double x) {
  const double r = (x + 0x1.0p52) - 0x1.0p52;
  const double f = r > x ? r - 1.0 : r;
  return x >= 0x1.0p52 ? x : f;
}

// The indices i < m whose flag is 0, in order; returns how many. Flags are 1 or
// 0 and mostly 1, so groups of four that are all 1 are passed over at once.
// Always inlined: as a call per block it cost 9% of normal_fill.
[[gnu::always_inline]] inline int indices_of_zeros(const double* flag, int m, int* index) {
  int count = 0, i = 0;
  for (; i + 4 <= m; i += 4) {
    if (flag[i] + flag[i + 1] + flag[i + 2] + flag[i + 3] == 4.0) continue;
    for (int j = i; j < i + 4; ++j) {
      index[count] = j;
      count += flag[j] == 0.0;
    }
  }
  for (; i < m; ++i) {
    index[count] = i;
    count += flag[i] == 0.0;
  }
  return count;
}

// A standard exponential deviate, -log(1 - U): U < 1, so it is finite.
double standard_exponential(Xoshiro256pp& gen) { return -std::log1p(-uniform01(gen)); }

// From a draw whose candidate may lie outside its layer's rectangle: the tail
// (layer 0) or the wedge test, and fresh draws until one is accepted.
double finish_normal(Xoshiro256pp& gen, std::uint64_t bits) {
  const double r = kZiggurat.x[1];
  while (true) {
    const std::uint64_t j = layer(bits);
    const double x = candidate(bits);
    if (x < kZiggurat.x[j + 1]) return with_sign(bits, x);
    if (j == 0) {
      // Marsaglia's tail: r + a with a = E1 / r, accepted when 2 E2 >= a^2.
      double a, e;
      do {
        a = standard_exponential(gen) / r;
        e = standard_exponential(gen);
      } while (e + e < a * a);
      return with_sign(bits, r + a);
    }
    const double y = kZiggurat.f[j] + uniform01(gen) * (kZiggurat.f[j + 1] - kZiggurat.f[j]);
    if (y < std::exp(-0.5 * x * x)) return with_sign(bits, x);
    bits = gen();
  }
}

// Means that PD draws; below 10 inversion, from kPoissonExactBelow the mean itself.
inline bool drawn_by_pd(double mean) { return mean >= 10.0 && mean < kPoissonExactBelow; }

double poisson_small(Xoshiro256pp& gen, double mean) {
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

// log(k!) - ((k + 1/2) log k - k + log(2 pi)/2) for k >= 10: Stirling's series to
// its fourth term, whose truncation error is below 1e-12.
double stirling_remainder(double k) {
  const double ik = 1.0 / k, ik2 = ik * ik;
  return ik * (1.0 / 12.0 - ik2 * (1.0 / 360.0 - ik2 * (1.0 / 1260.0 - ik2 / 1680.0)));
}

// PD after neither step I nor step S accepted the rounded normal g = mu + s z (k =
// floor(g), u step S's uniform; g < 0 skips both): steps P, Q and the E-H loop
// of Ahrens and Dieter. Their px, py are such that py exp(px) is the Poisson
// probability of k (here exactly, up to rounding); fx, fy the Hermite
// approximation of the discrete normal's.
double poisson_pd_rest(Xoshiro256pp& gen, double mu, double s, double g, double k,
                       double u) {
  const double omega = kInvSqrt2Pi / s;
  const double b1 = 1.0 / 24.0 / mu, b2 = 0.3 * b1 * b1, c3 = b1 * b2 / 7.0;
  const double c2 = b2 - 15.0 * c3, c1 = b1 - 6.0 * b2 + 45.0 * c3;
  const double c0 = 1.0 - b1 + 3.0 * b2 - 15.0 * c3, c = 0.1069 / mu;
  double px, py, fx, fy;
  auto probabilities = [&](double k) {
    const double difmuk = mu - k;
    if (k < 10.0) {
      constexpr double kFactorial[10] = {1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880};
      px = -mu;
      py = std::pow(mu, k) / kFactorial[int(k)];
    } else {
      px = k * std::log1p(difmuk / k) - difmuk - stirling_remainder(k);
      py = kInvSqrt2Pi / std::sqrt(k);
    }
    const double x = (0.5 - difmuk) / s, xx = x * x;
    fx = -0.5 * xx;
    fy = omega * (((c3 * xx + c2) * xx + c1) * xx + c0);
  };
  if (g >= 0.0) {
    probabilities(k);
    if (fy - u * fy <= py * std::exp(px - fx)) return k;  // step Q
  }
  while (true) {
    // Step E: t from the double-exponential hat; t <= -0.6744 has p_k < f_k.
    const double e = standard_exponential(gen);
    u = 2.0 * uniform01(gen) - 1.0;
    const double t = 1.8 + (u < 0.0 ? -e : e);
    if (t <= -0.6744) continue;
    k = std::floor(mu + s * t);
    probabilities(k);
    if (c * std::fabs(u) <= py * std::exp(px + e) - fy * std::exp(fx + e)) return k;
  }
}

}  // namespace

double standard_normal(Xoshiro256pp& gen) { return finish_normal(gen, gen()); }

void normal_fill(Xoshiro256pp& gen, double* out, int n) {
  std::uint64_t bits[kBlock];
  int redo[kBlock];
  double inside[kBlock];  // 1 or 0: a double flag vectorizes with the doubles
  for (int first = 0; first < n; first += kBlock) {
    const int m = std::min(kBlock, n - first);
    double* z = out + first;
    for (int i = 0; i < m; ++i) bits[i] = gen();
    // The rectangle test of every candidate, away from the generator's chain.
    for (int i = 0; i < m; ++i) {
      const double x = candidate(bits[i]);
      z[i] = with_sign(bits[i], x);
      inside[i] = x < kZiggurat.x[layer(bits[i]) + 1] ? 1.0 : 0.0;
    }
    const int n_redo = indices_of_zeros(inside, m, redo);
    for (int j = 0; j < n_redo; ++j) z[redo[j]] = finish_normal(gen, bits[redo[j]]);
  }
}

void poisson_fill(Xoshiro256pp& gen, const double* mean, const double* root_mean,
                  double* out, int n) {
  // Per large mean of a block: its index, its normal and uniform, then g and k.
  int large[kBlock], rest[kBlock];
  double mu_copy[kBlock], root_copy[kBlock], z[kBlock], u[kBlock], g[kBlock], k[kBlock];
  // 1 or 0 (a double flag vectorizes with the doubles): a mean PD draws; a draw
  // accepted by steps I or S.
  double large_flag[kBlock], accepted[kBlock];
  for (int first = 0; first < n; first += kBlock) {
    const int m = std::min(kBlock, n - first);
    const double* lam = mean + first;
    const double* root_lam = root_mean + first;
    double* o = out + first;
    // The usual block has only large means: no gather, no small ones.
    for (int i = 0; i < m; ++i) large_flag[i] = drawn_by_pd(lam[i]) ? 1.0 : 0.0;
    double n_flagged = 0.0;
    for (int i = 0; i < m; ++i) n_flagged += large_flag[i];
    const bool all_large = n_flagged == m;
    int n_large = m;
    const double* mu = lam;
    const double* root_mu = root_lam;
    if (!all_large) {
      n_large = 0;
      for (int i = 0; i < m; ++i) {
        large[n_large] = i;
        n_large += large_flag[i] == 1.0;
      }
      for (int j = 0; j < n_large; ++j) {
        mu_copy[j] = lam[large[j]];
        root_copy[j] = root_lam[large[j]];
      }
      mu = mu_copy;
      root_mu = root_copy;
    }
    // A normal (step N) and a uniform (step S) for every large mean, then steps
    // I and S for all at once: accept k = floor(g) when k >= floor(mu - 1.1484)
    // or 6 mu^2 u >= (mu - k)^3, all but ~0.3% of draws. The uniform is drawn
    // even where step I accepts: cheaper than a branch on each draw.
    normal_fill(gen, z, n_large);
    for (int j = 0; j < n_large; ++j) u[j] = uniform01(gen);
    for (int j = 0; j < n_large; ++j) {
      g[j] = mu[j] + root_mu[j] * z[j];
      k[j] = floor_nonnegative(g[j]);  // not used where g < 0
      const double difmuk = mu[j] - k[j];
      accepted[j] = g[j] >= 0.0 && (k[j] >= floor_nonnegative(mu[j] - 1.1484) ||
                                    6.0 * mu[j] * mu[j] * u[j] >= difmuk * difmuk * difmuk)
                        ? 1.0
                        : 0.0;
    }
    if (!all_large) {
      for (int i = 0; i < m; ++i) {
        if (drawn_by_pd(lam[i])) continue;
        o[i] = lam[i] <= 0.0  ? 0.0
               : lam[i] < 10.0 ? poisson_small(gen, lam[i])
                               : std::floor(lam[i]);
      }
    }
    const int n_rest = indices_of_zeros(accepted, n_large, rest);
    for (int q = 0; q < n_rest; ++q) {
      const int j = rest[q];
      k[j] = poisson_pd_rest(gen, mu[j], root_mu[j], g[j], k[j], u[j]);
    }
    if (all_large) {
      std::copy_n(k, m, o);  // after every read of lam, which `out` may be
    } else {
      for (int j = 0; j < n_large; ++j) o[large[j]] = k[j];
    }
  }
}

}  // namespace breakeven
