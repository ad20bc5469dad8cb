#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "breakeven/exp.hpp"
#include "breakeven/pricing.hpp"

namespace breakeven {
namespace {

ApiModel anthropic_like() {
  ApiModel m;
  m.input = 1.0;
  m.output = 5.0;
  m.cached_input = 0.1;
  m.cache_write_multiplier = 1.25;
  m.cache_min_tokens = 1024;
  m.cache_ttl_minutes = 5;
  m.batch_discount = 0.5;
  return m;
}

Workload with_prefix(double prefix, int variants = 1) {
  Workload w;
  w.input = {prefix + 1000, 0};
  w.prefix_tokens = prefix;
  w.prefix_variants = variants;
  return w;
}

TEST(CacheHit, PoissonArrivalsWithinTtl) {
  // 6 requests/hour = 0.1/minute; within 5 minutes: 1 - exp(-0.5).
  EXPECT_NEAR(cache_hit_probability(6, 1, 5), 0.3934693402873666, 1e-15);
  // Two variants split the traffic: 12/hour over 2 variants is again 0.1/minute.
  EXPECT_NEAR(cache_hit_probability(12, 2, 5), 0.3934693402873666, 1e-15);
  EXPECT_EQ(cache_hit_probability(0, 1, 5), 0.0);
  EXPECT_NEAR(cache_hit_probability(60000, 1, 5), 1.0, 1e-12);
}

TEST(OneMinusExpNeg, WithinTwoUlpOfExpm1From0To40AndOneBeyond) {
  // 10^6 points spread over [0, 40) on a log scale from 1e-12, plus the ends and
  // where the range reduction switches (|r| = ln 2 / 2).
  std::vector<double> xs = {0.0, 1e-300, 5e-324, 0.34657359027997264, 0.3465735902799727,
                            1.0, 39.999999999};
  for (int i = 0; i < 1000000; ++i) xs.push_back(1e-12 * std::pow(4e13, i / 1e6));
  for (const double x : xs) {
    const double exact = -std::expm1(-x);
    const double ulp = std::nextafter(exact, 2.0) - exact;
    ASSERT_LE(std::fabs(one_minus_exp_neg(x) - exact), 2 * ulp) << x;
  }
  for (const double x : {40.0, 41.5, 1e6, 1e300})
    EXPECT_EQ(one_minus_exp_neg(x), 1.0) << x;
  EXPECT_EQ(std::signbit(one_minus_exp_neg(0.0)), false);
}

TEST(CacheHitProbability, AlwaysWarmOnlyWhereHIsExactlyOne) {
  // The monthly cache-hit totals skip the exponential where cache_always_warm
  // says h is 1: it must be exactly 1 there. The switch is at an exponent
  // n / (60 K) ttl of 40, e.g. 480 requests an hour at K = 1 and 5 minutes.
  for (const auto& [variants, ttl] : {std::pair{1, 5.0}, {3, 60.0}, {7, 0.5}}) {
    const double threshold = 40.0 * 60.0 * variants / ttl;
    for (double n = 0.5 * threshold; n < 2 * threshold; n *= 1.0001) {
      const bool warm = cache_always_warm(n, variants, ttl);
      if (warm) EXPECT_EQ(cache_hit_probability(n, variants, ttl), 1.0) << n;
      if (n > threshold * (1 + 1e-12)) EXPECT_TRUE(warm) << n;
      if (n < threshold * (1 - 1e-12)) EXPECT_FALSE(warm) << n;
    }
    EXPECT_LT(cache_hit_probability(0.9 * threshold, variants, ttl), 1.0);
  }
}

TEST(ApiCharge, CachedPrefixWithWritePremium) {
  // n = 6, P = 2000, V = 6000, O = 600, h = 1 - exp(-0.5):
  // input  = V in + n P (1-h) w in = 6000 + 12000 * 0.60653066 * 1.25
  // cached = n P h cached_in = 12000 * 0.39346934 * 0.1
  const ApiCharge c =
      api_charge(anthropic_like(), with_prefix(2000), {6, 6000, 600}, true, false);
  const double h = 1 - std::exp(-0.5);
  EXPECT_NEAR(c.input, (6000 + 12000 * (1 - h) * 1.25) * 1e-6, 1e-15);
  EXPECT_NEAR(c.input, 0.0150979598957, 1e-12);
  EXPECT_NEAR(c.cached_input, 12000 * h * 0.1 * 1e-6, 1e-15);
  EXPECT_NEAR(c.output, 600 * 5 * 1e-6, 1e-15);
  EXPECT_EQ(c.batch, 0.0);
}

TEST(ApiCharge, NoCachingWhenOffOrBelowMinimumOrUnpriced) {
  const double uncached = (6000 + 12000) * 1e-6;
  EXPECT_NEAR(
      api_charge(anthropic_like(), with_prefix(2000), {6, 6000, 600}, false, false)
          .input,
      uncached, 1e-15);
  // 1000-token prefix is below the 1024-token minimum.
  const ApiCharge small =
      api_charge(anthropic_like(), with_prefix(1000), {6, 6000, 600}, true, false);
  EXPECT_NEAR(small.input, (6000 + 6000) * 1e-6, 1e-15);
  EXPECT_EQ(small.cached_input, 0.0);
  ApiModel no_cache = anthropic_like();
  no_cache.cached_input.reset();
  EXPECT_NEAR(
      api_charge(no_cache, with_prefix(2000), {6, 6000, 600}, true, false).input,
      uncached, 1e-15);
}

TEST(ApiCharge, BatchDiscountAndNoCaching) {
  // (1-d)((V + nP) in + O out) = 0.5 * (18000 * 1 + 600 * 5) / 1e6
  const ApiCharge c =
      api_charge(anthropic_like(), with_prefix(2000), {6, 6000, 600}, true, true);
  EXPECT_NEAR(c.batch, 0.0105, 1e-15);
  EXPECT_EQ(c.input + c.cached_input + c.output, 0.0);
  EXPECT_NEAR(c.total(), 0.0105, 1e-15);
}

}  // namespace
}  // namespace breakeven
