#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "breakeven/exp.hpp"
#include "breakeven/long_context.hpp"
#include "breakeven/pricing.hpp"

namespace breakeven {
namespace {

ApiModel anthropic_like() {
  ApiModel m;
  m.input = 1.0;
  m.output = 5.0;
  m.cached_input = 0.1;
  m.cache_min_tokens = 1024;
  m.cache_tiers = {{5, 1.25, 0}, {60, 2.0, 0}};
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

// A conversation of geometric turns (mean 4), gaps with P(gap <= x) = 0.16 x up to
// 5 minutes and 0.8 from there on (the rest come after any TTL), 1,000 tokens of
// history per turn and 500 new: mean prompt 500 + 1000 (4 - 1) = 3500.
Workload chat(double prefix = 0) {
  Workload w;
  w.prefix_tokens = prefix;
  w.input = {prefix + 3500, 0};
  Conversation c;
  c.mean_turns = 4;
  c.gap_cdf = {{5.0, 0.8}};
  c.history_tokens_per_turn = 1000;
  w.conversation = c;
  return w;
}

TEST(Conversation, GeometricTurnsClosedForms) {
  const Conversation c = *chat().conversation;
  EXPECT_DOUBLE_EQ(c.expected_turns(), 4.0);
  EXPECT_DOUBLE_EQ(c.mean_earlier_turns(), 3.0);
  EXPECT_DOUBLE_EQ(c.turns_at_least(3), 0.5625);
  EXPECT_DOUBLE_EQ(c.gap_within(2.5), 0.4);
  EXPECT_DOUBLE_EQ(c.gap_within(60), 0.8);
  // E[min(G, c)] = integral of 1 - F: 5 - 0.08 * 25 = 3 at 5 minutes, and
  // 3 + 0.2 * 55 at 60.
  EXPECT_DOUBLE_EQ(c.gap_capped_mean(5), 3.0);
  EXPECT_DOUBLE_EQ(c.gap_capped_mean(60), 14.0);
  Conversation lognormal;
  lognormal.gap_mu = std::log(2.0);
  lognormal.gap_sigma = 0.7;
  EXPECT_NEAR(lognormal.gap_within(2.0), 0.5, 1e-15);
  // E[min(G, c)] of a lognormal against a numerical integral of 1 - F.
  double integral = 0;
  for (int i = 0; i < 100000; ++i) integral += (1 - lognormal.gap_within((i + 0.5) * 1e-4)) * 1e-4;
  EXPECT_NEAR(lognormal.gap_capped_mean(10.0), integral, 1e-8);
}

TEST(Conversation, TurnsFromACdf) {
  Conversation c;
  c.turn_cdf = {{1, 0.5}, {3, 1.0}};  // half one turn, half three
  EXPECT_DOUBLE_EQ(c.expected_turns(), 2.0);
  EXPECT_DOUBLE_EQ(c.turns_at_least(2), 0.5);
  EXPECT_DOUBLE_EQ(c.turns_at_least(4), 0.0);
  EXPECT_EQ(c.last_turn(), 3);
  // Requests: turn 1 (weight 1), 2 and 3 (0.5 each): earlier turns (0 + 0.5 + 1) / 2.
  EXPECT_DOUBLE_EQ(c.mean_earlier_turns(), 0.75);
}

TEST(Conversation, CacheReadsThePreviousTurnWithinTheTtl) {
  ApiModel m = anthropic_like();
  m.cache_min_tokens = 0;
  // Q = P(gap <= ttl) P(turn >= 2) = 0.8 * 3/4; a read covers the previous prompt,
  // 500 + 1000 E[k - 2 | k >= 2] = 3500 tokens: 60% of all input is read.
  const ConversationCache five(chat(), m, m.cache_tiers[0]);
  EXPECT_NEAR(five.hit_share, 0.6, 1e-12);
  EXPECT_NEAR(five.tokens_per_hit, 3500, 1e-8);
  const ConversationCache short_ttl(chat(), m, CacheTier{2.5, 1.25, 0});
  EXPECT_NEAR(short_ttl.hit_share, 0.3, 1e-12);
  // A minimum of 1,000 tokens: turn 2's previous prompt (500) is too short;
  // Q = 0.8 P(turn >= 3) = 0.8 * 9/16.
  m.cache_min_tokens = 1000;
  const ConversationCache minimum(chat(), m, m.cache_tiers[0]);
  EXPECT_NEAR(minimum.hit_share, 0.45, 1e-12);
  // Whole blocks of 128: a read of 500 + 1000 j tokens keeps floor(./128) * 128.
  m.cache_min_tokens = 0;
  m.cache_block_tokens = 128;
  const ConversationCache blocks(chat(), m, m.cache_tiers[0]);
  double expected = 0, weight = 0;
  for (int j = 0; j < 2000; ++j) {
    const double w = std::pow(0.75, j);
    expected += w * std::floor((500.0 + 1000.0 * j) / 128) * 128;
    weight += w;
  }
  EXPECT_NEAR(blocks.tokens_per_hit, expected / weight, 1e-6);
}

TEST(ApiCharge, ConversationWritesItsWholePrompt) {
  // 60 requests with 60 x 3500 variable tokens at the 60-minute tier (write 2x):
  // 0.6 x 210000 read at 0.1, the rest written at 2 x 1.0 per 1M.
  ApiModel m = anthropic_like();
  m.cache_min_tokens = 0;
  const ApiPricer price(m, chat(), true, false, 60);
  EXPECT_EQ(price.ttl_minutes(), 60);
  const ApiCharge c = price.charge({60, 210000, 6000});
  EXPECT_NEAR(c.cached_input, 126000 * 0.1e-6, 1e-13);
  EXPECT_NEAR(c.input, 84000 * 2e-6, 1e-13);
  EXPECT_NEAR(c.output, 6000 * 5e-6, 1e-15);
  // A TTL the model does not sell falls back to the default tier (5 min, 1.25x).
  EXPECT_EQ(ApiPricer(m, chat(), true, false, 30).ttl_minutes(), 5);
  // Caching off: all input at the plain price.
  EXPECT_NEAR(ApiPricer(m, chat(), false, false).charge({60, 210000, 6000}).input,
              210000e-6, 1e-15);
}

TEST(ApiCharge, ConversationWithASharedPrefix) {
  // P = 2000 beside the conversation: a turn that misses its conversation may
  // still find the shared prefix warm, h = 1 - exp(-n/60 * 5).
  ApiModel m = anthropic_like();
  m.cache_min_tokens = 1024;
  const ApiPricer price(m, chat(2000), true, false);
  const double n = 6, h = 1 - std::exp(-0.5);
  const CacheUse u = price.cache_use(n, n * 3500);
  const double q = price.conversation().hit_share;
  EXPECT_NEAR(u.prefix_hits, n * q + n * (1 - q) * h, 1e-12);
  EXPECT_NEAR(u.kept, h, 1e-15);
}

TEST(ApiCharge, ExplicitCacheStorage) {
  // A shared prefix of 2 variants x 2000 tokens kept a share h of the hour at
  // 4.5 per 1M token-hours.
  ApiModel m = anthropic_like();
  m.cache_tiers = {{60, 1.0, 4.5}};
  const ApiPricer price(m, with_prefix(2000, 2), true, false);
  const ApiCharge c = price.charge({6, 6000, 600});
  const double h = 1 - std::exp(-6.0 / 120 * 60);
  EXPECT_NEAR(c.input, (6000 + 12000 * (1 - h)) * 1e-6 + 4.5e-6 * h * 4000, 1e-15);
}

TEST(LongContext, SharesAtTheLognormalMedian) {
  // V lognormal with mean 1000 and cv 1: s^2 = ln 2, median exp(m) = 1000 / sqrt(2).
  // At the median half the requests are above, with Phi(s) of the tokens.
  Workload w;
  w.input = {1000, 1000};
  const double s = std::sqrt(std::log(2.0));
  const LongContextShares at = long_context_shares(w, 1000 / std::sqrt(2.0));
  EXPECT_NEAR(at.requests, 0.5, 1e-15);
  EXPECT_NEAR(at.input_tokens, 0.5 * std::erfc(-s / std::sqrt(2.0)), 1e-15);
  // A prefix above the threshold puts every request above; no spread: all or none.
  w.prefix_tokens = 600;
  EXPECT_EQ(long_context_shares(w, 500).requests, 1.0);
  w.input.sd = 0;
  EXPECT_EQ(long_context_shares(w, 999).input_tokens, 1.0);
  EXPECT_EQ(long_context_shares(w, 1000).input_tokens, 0.0);
}

TEST(LongContext, BlendedPricesAndServiceTiers) {
  ApiModel m = anthropic_like();
  m.long_context = LongContext{200000, 2.0, 7.5, 0.2};
  Workload w;
  w.input = {100000, 100000};
  const LongContextShares share = long_context_shares(w, 200000);
  const TokenPrices p = token_prices(m, w, 0.5);
  EXPECT_DOUBLE_EQ(p.input, 0.5 * (1.0 + share.input_tokens * (2.0 - 1.0)));
  EXPECT_DOUBLE_EQ(p.output, 0.5 * (5.0 + share.requests * (7.5 - 5.0)));
  EXPECT_DOUBLE_EQ(p.cached_input, 0.5 * (0.1 + share.input_tokens * (0.2 - 0.1)));
  // Without a tier the model's own prices, bit for bit.
  m.long_context.reset();
  const TokenPrices plain = token_prices(m, w, 1.0);
  EXPECT_EQ(plain.input, m.input);
  EXPECT_EQ(plain.output, m.output);
  EXPECT_EQ(plain.cached_input, *m.cached_input);
}

}  // namespace
}  // namespace breakeven
