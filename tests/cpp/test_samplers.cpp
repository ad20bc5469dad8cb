#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <cmath>
#include <map>
#include <vector>

#include "breakeven/rng.hpp"
#include "breakeven/samplers.hpp"

namespace breakeven {
namespace {

constexpr int kDraws = 1000000;

// Poisson draws in place, each mean's root given as the engine gives it: a
// product of its factors' square roots (here mean = 4 * (mean / 4)), which may
// differ from sqrt(mean) in the last bit.
void poisson_in_place(Xoshiro256pp& gen, std::vector<double>& x) {
  std::vector<double> root(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) root[i] = 2.0 * std::sqrt(x[i] / 4.0);
  poisson_fill(gen, x.data(), root.data(), x.data(), int(x.size()));
}

// One mean throughout.
std::vector<double> draws(double mean) {
  Xoshiro256pp gen(std::uint64_t(mean * 1000) + 17);
  std::vector<double> k(kDraws, mean);
  poisson_in_place(gen, k);
  return k;
}

// In place, with `mean` every third element among means of
// the other regimes (so blocks mix small, large and zero means and the queue of
// trials the squeeze did not accept).
std::vector<double> mixed_draws(double mean) {
  Xoshiro256pp gen(std::uint64_t(mean * 1000) + 29);
  std::vector<double> all(3 * kDraws);
  for (int i = 0; i < kDraws; ++i) {
    all[3 * i] = i % 2 ? 3.5 : 0.0;
    all[3 * i + 1] = mean;
    all[3 * i + 2] = i % 3 ? 812.5 : 11.0;
  }
  poisson_in_place(gen, all);
  std::vector<double> k(kDraws);
  for (int i = 0; i < kDraws; ++i) k[i] = all[3 * i + 1];
  return k;
}

// Chi-square goodness of fit of the draws against the exact Poisson pmf, bins
// merged in the tails until each expects >= 20 draws. Fails at p < 1e-6 only.
void expect_poisson_fits(double mean, const std::vector<double>& draws) {
  const double n = double(draws.size());
  std::map<long, long> counts;
  double sum = 0;
  for (const double k : draws) {
    ASSERT_EQ(k, std::floor(k));
    ASSERT_GE(k, 0);
    ++counts[long(k)];
    sum += k;
  }
  EXPECT_NEAR(sum / n, mean, 6 * std::sqrt(mean / n)) << "mean " << mean;

  const boost::math::poisson_distribution<double> exact(mean);
  const long lo = long(boost::math::quantile(exact, 1e-5));
  const long hi = long(boost::math::quantile(boost::math::complement(exact, 1e-5)));
  double chi2 = 0;
  int bins = 0;
  double expected_bin = 0, observed_bin = 0;
  auto flush = [&] {
    chi2 +=
        (observed_bin - expected_bin) * (observed_bin - expected_bin) / expected_bin;
    ++bins;
    expected_bin = observed_bin = 0;
  };
  expected_bin = n * boost::math::cdf(exact, double(lo));  // left tail
  for (long k = 0; k <= lo; ++k) observed_bin += counts.count(k) ? counts[k] : 0;
  for (long k = lo + 1; k < hi; ++k) {
    if (expected_bin >= 20) flush();
    expected_bin += n * boost::math::pdf(exact, double(k));
    observed_bin += counts.count(k) ? counts[k] : 0;
  }
  expected_bin +=
      n * boost::math::cdf(boost::math::complement(exact, double(hi - 1)));
  for (const auto& [k, c] : counts)
    if (k >= hi) observed_bin += c;
  flush();
  const boost::math::chi_squared_distribution<double> dist(bins - 1);
  const double p = boost::math::cdf(boost::math::complement(dist, chi2));
  EXPECT_GT(p, 1e-6) << "mean " << mean << ": chi2 " << chi2 << " on " << bins - 1
                     << " df";
}

TEST(PoissonSampler, MatchesExactDistributionAcrossRegimes) {
  for (double mean : {0.3, 2.5, 9.99, 10.0, 37.2, 412.0, 25000.0})
    expect_poisson_fits(mean, draws(mean));
}

TEST(PoissonSampler, MixedMeansInOneBlockMatchExactDistribution) {
  for (double mean : {0.3, 9.99, 10.0, 37.2, 412.0, 25000.0})
    expect_poisson_fits(mean, mixed_draws(mean));
}

TEST(PoissonSampler, MeansNearTenMatchExactDistributionInTenMillionDraws) {
  // Near 10 about one draw in ten goes past PD's squeeze to its quotient test or
  // its exponential hat (poisson_pd_rest), which fewer draws would not resolve.
  for (double mean : {10.0, 13.7}) {
    Xoshiro256pp gen(std::uint64_t(mean * 100));
    std::vector<double> k(10 * kDraws, mean);
    poisson_in_place(gen, k);
    expect_poisson_fits(mean, k);
  }
}

TEST(PoissonSampler, ZeroAndHugeMeansDrawNothing) {
  Xoshiro256pp gen(5), untouched(5);
  std::vector<double> x = {0.0, 1e19, 0x1.0p52, 0.0};
  poisson_in_place(gen, x);
  EXPECT_EQ(x, (std::vector<double>{0.0, 1e19, 0x1.0p52, 0.0}));
  EXPECT_EQ(gen(), untouched());
}


TEST(Uniform01, InUnitIntervalWithMeanHalf) {
  Xoshiro256pp gen(3);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    const double u = uniform01(gen);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 100000, 0.5, 0.005);
}

TEST(PoissonSampler, MeansJustBelowTheExactLimitAreDrawn) {
  Xoshiro256pp gen = path_stream(1, 0);
  std::vector<double> x(100000, 0x1.0p52 - 1);
  poisson_in_place(gen, x);
  for (double k : x) {
    ASSERT_NEAR(k, 0x1.0p52, 10 * std::sqrt(0x1.0p52));
    ASSERT_EQ(k, std::floor(k));
  }
}

// Chi-square of draws against the standard normal on bins of width 0.1 (merged
// in the tails until each expects >= 20), and the mass beyond the ziggurat's base
// strip (|x| > r, drawn by the tail algorithm) within 5 SD, and its mean excess
// over r (Mills' ratio: phi(r) / Q(r) - r) within 4 SE.
void expect_standard_normal(const std::vector<double>& x) {
  const boost::math::normal_distribution<double> exact;
  const double n = double(x.size());
  std::vector<double> edges = {-1e300};
  for (int i = -50; i <= 50; ++i) edges.push_back(i / 10.0);
  edges.push_back(1e300);
  std::vector<double> observed(edges.size() - 1, 0.0);
  const double r = 3.6541528853610088;
  double beyond_r = 0, excess = 0, excess2 = 0;
  for (const double v : x) {
    ASSERT_TRUE(std::isfinite(v));
    const auto bin = std::upper_bound(edges.begin(), edges.end(), v) - edges.begin() - 1;
    observed[bin] += 1;
    if (std::fabs(v) > r) {
      beyond_r += 1;
      excess += std::fabs(v) - r;
      excess2 += (std::fabs(v) - r) * (std::fabs(v) - r);
    }
  }
  double chi2 = 0, expected_bin = 0, observed_bin = 0;
  int bins = 0;
  for (std::size_t b = 0; b + 1 < edges.size(); ++b) {
    const double lo = std::max(edges[b], -40.0), hi = std::min(edges[b + 1], 40.0);
    expected_bin += n * (boost::math::cdf(exact, hi) - boost::math::cdf(exact, lo));
    observed_bin += observed[b];
    if (expected_bin >= 20 && n * boost::math::cdf(boost::math::complement(exact, hi)) >= 20) {
      chi2 += (observed_bin - expected_bin) * (observed_bin - expected_bin) / expected_bin;
      ++bins;
      expected_bin = observed_bin = 0;
    }
  }
  chi2 += (observed_bin - expected_bin) * (observed_bin - expected_bin) / expected_bin;
  ++bins;
  const boost::math::chi_squared_distribution<double> dist(bins - 1);
  EXPECT_GT(boost::math::cdf(boost::math::complement(dist, chi2)), 1e-6)
      << "chi2 " << chi2 << " on " << bins - 1 << " df";
  const double p_tail = 2 * boost::math::cdf(boost::math::complement(exact, r));
  EXPECT_NEAR(beyond_r, n * p_tail, 5 * std::sqrt(n * p_tail));
  const double mills = boost::math::pdf(exact, r) / (p_tail / 2) - r;
  const double mean_excess = excess / beyond_r;
  const double se = std::sqrt((excess2 / beyond_r - mean_excess * mean_excess) / beyond_r);
  EXPECT_NEAR(mean_excess, mills, 4 * se);
}

// 2 10^7 draws: about 5,200 beyond r, enough to see the tail's shape.
constexpr int kNormalDraws = 20000000;

TEST(NormalSampler, BatchedDrawsMatchTheStandardNormal) {
  Xoshiro256pp gen(41);
  std::vector<double> x(kNormalDraws);
  // Uneven pieces, so blocks start and end anywhere.
  for (int first = 0; first < kNormalDraws;) {
    const int n = std::min(kNormalDraws - first, 1 + first % 701);
    normal_fill(gen, x.data() + first, n);
    first += n;
  }
  expect_standard_normal(x);
}

TEST(NormalSampler, SingleDrawsMatchTheStandardNormal) {
  Xoshiro256pp gen(43);
  std::vector<double> x(kNormalDraws);
  for (double& v : x) v = standard_normal(gen);
  expect_standard_normal(x);
}

}  // namespace
}  // namespace breakeven
