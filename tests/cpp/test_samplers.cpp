#include <gtest/gtest.h>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <cmath>
#include <map>
#include <vector>

#include "breakeven/rng.hpp"
#include "breakeven/samplers.hpp"

namespace breakeven {
namespace {

constexpr int kDraws = 1000000;

// One mean throughout.
std::vector<double> draws(double mean) {
  Xoshiro256pp gen(std::uint64_t(mean * 1000) + 17);
  std::vector<double> k(kDraws, mean);
  poisson_fill(gen, k.data(), k.data(), kDraws);
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
  poisson_fill(gen, all.data(), all.data(), int(all.size()));
  std::vector<double> k(kDraws);
  for (int i = 0; i < kDraws; ++i) k[i] = all[3 * i + 1];
  return k;
}

// Chi-square goodness of fit of 10^6 draws against the exact Poisson pmf, bins
// merged in the tails until each expects >= 20 draws. Fails at p < 1e-6 only.
void expect_poisson_fits(double mean, const std::vector<double>& draws) {
  std::map<long, long> counts;
  double sum = 0;
  for (const double k : draws) {
    ASSERT_EQ(k, std::floor(k));
    ASSERT_GE(k, 0);
    ++counts[long(k)];
    sum += k;
  }
  EXPECT_NEAR(sum / kDraws, mean, 6 * std::sqrt(mean / kDraws)) << "mean " << mean;

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
  expected_bin = kDraws * boost::math::cdf(exact, double(lo));  // left tail
  for (long k = 0; k <= lo; ++k) observed_bin += counts.count(k) ? counts[k] : 0;
  for (long k = lo + 1; k < hi; ++k) {
    if (expected_bin >= 20) flush();
    expected_bin += kDraws * boost::math::pdf(exact, double(k));
    observed_bin += counts.count(k) ? counts[k] : 0;
  }
  expected_bin +=
      kDraws * boost::math::cdf(boost::math::complement(exact, double(hi - 1)));
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

TEST(PoissonSampler, ZeroAndHugeMeansDrawNothing) {
  Xoshiro256pp gen(5), untouched(5);
  std::vector<double> x = {0.0, 1e19, 0x1.0p52, 0.0};
  poisson_fill(gen, x.data(), x.data(), 4);
  EXPECT_EQ(x, (std::vector<double>{0.0, 1e19, 0x1.0p52, 0.0}));
  EXPECT_EQ(gen(), untouched());
}


TEST(LogFactorial, TableAndStirlingAgreeWithLgamma) {
  for (double k : {0.0, 1.0, 5.0, 255.0, 256.0, 1000.0, 1e6})
    EXPECT_NEAR(log_factorial(k), std::lgamma(k + 1),
                1e-9 * std::max(1.0, std::lgamma(k + 1)));
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
  // Also where a trial's candidate can pass 2^62 (us near 0): never a crash.
  Xoshiro256pp gen = path_stream(1, 0);
  std::vector<double> x(100000, 0x1.0p52 - 1);
  poisson_fill(gen, x.data(), x.data(), int(x.size()));
  for (double k : x) {
    ASSERT_NEAR(k, 0x1.0p52, 10 * std::sqrt(0x1.0p52));
    ASSERT_EQ(k, std::floor(k));
  }
}

}  // namespace
}  // namespace breakeven
