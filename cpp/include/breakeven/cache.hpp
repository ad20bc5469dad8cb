// Prompt caching (docs/model.md "Prompt caching"): the formulas for how much of an
// hour's input a provider's cache serves. Two sources of hits:
//  - the shared prefix (system prompt) of K variants, warm when the previous
//    request of its variant came within the TTL: cache_hit_probability();
//  - a conversation's previous turn, warm when the gap between the turns is
//    within the TTL: ConversationCache.
// pricing.hpp turns these into money.
#pragma once

#include <algorithm>
#include <vector>

#include "breakeven/exp.hpp"
#include "breakeven/scenario.hpp"

namespace breakeven {

// Probability that a request finds the shared prefix warm: with Poisson arrivals
// of n/(60 K) per minute per variant, and each request refreshing the entry,
// h = 1 - exp(-(n / (60 K)) * ttl). It is also the share of the hour an entry
// is kept (arrivals see time averages), which storage is billed on.
inline double cache_hit_exponent(double requests_per_hour, int prefix_variants,
                                 double ttl_minutes) {
  return requests_per_hour / (60.0 * prefix_variants) * ttl_minutes;
}
inline double cache_hit_probability(double requests_per_hour, int prefix_variants,
                                    double ttl_minutes) {
  return one_minus_exp_neg(
      cache_hit_exponent(requests_per_hour, prefix_variants, ttl_minutes));
}
// Whether h is exactly 1 at this many requests an hour, and so at any more.
inline bool cache_always_warm(double requests_per_hour, int prefix_variants,
                              double ttl_minutes) {
  return cache_hit_exponent(requests_per_hour, prefix_variants, ttl_minutes) >=
         kOneMinusExpNegIsOneFrom;
}

// The TTL tier of `model` a strategy's asked TTL selects: the tier with exactly
// that TTL, else the default (first) tier. ttl_minutes = 0 asks the default.
const CacheTier& cache_tier(const ApiModel& model, double ttl_minutes);

// What a conversation's own cache gives per request, at one tier of one model.
// Turn k >= 2 reads the whole prompt of turn k-1 when the gap between them is
// within the TTL and that prompt, P + (k-2) g + nu, is at least the model's
// minimum; nu = mean input - P - g E[earlier turns] is a turn's new input. A read
// is rounded down to whole cache blocks. Every turn writes its whole prompt.
struct ConversationCache {
  double hit_share = 0.0;       // Q: share of requests that read their previous turn
  double tokens_per_hit = 0.0;  // c: variable input tokens such a read covers
  // Storage: tokens kept x minutes per request (until the next turn or the TTL).
  double stored_token_minutes = 0.0;

  ConversationCache() = default;
  // At a provider: the model's minimum and block size, the tier's TTL.
  ConversationCache(const Workload& workload, const ApiModel& model,
                    const CacheTier& tier)
      : ConversationCache(workload, model.cache_min_tokens, model.cache_block_tokens,
                          tier.ttl_minutes) {}
  ConversationCache(const Workload& workload, double min_tokens, double block_tokens,
                    double ttl_minutes);
};

// A self-hosted server's prefix cache (vLLM's automatic prefix caching): KV
// memory for `capacity_tokens` tokens, least recently used out first. An LRU
// cache keeps an entry about as long as a TTL cache whose TTL T fills it (Che's
// approximation): the tokens kept at the workloads' base rates, shared prefixes
// and conversations, equal the capacity. The shares of prefill it saves follow
// from the same formulas as a provider's cache at TTL T.
struct ServerReuse {
  double prefix_share = 0.0;    // of a request's prefix tokens, read from cache
  double variable_share = 0.0;  // of its variable input tokens
};
// The characteristic time T (minutes) of `capacity_tokens` for these workloads.
double server_cache_minutes(const std::vector<const Workload*>& workloads,
                            double capacity_tokens);
ServerReuse server_reuse(const Workload& workload, double cache_minutes);

// The cache's share of one hour (or a share of one) of n requests with variable
// input V: requests whose prefix is read from cache, variable tokens read, and
// the share of the hour the shared prefix is kept.
struct CacheUse {
  double prefix_hits = 0.0;
  double cached_variable = 0.0;
  double kept = 0.0;
};

// The expected cache use of n requests with variable input V: the hour's
// conversation reads n Q (at most V tokens), and of the other requests a share
// h(n) finds the shared prefix warm.
inline CacheUse cache_use(double requests, double variable_input,
                          const ConversationCache& conversation, bool shared_prefix,
                          int prefix_variants, double ttl_minutes) {
  const double h =
      shared_prefix ? cache_hit_probability(requests, prefix_variants, ttl_minutes) : 0.0;
  const double reads = requests * conversation.hit_share;
  return {reads + (requests - reads) * h,
          std::min(variable_input, reads * conversation.tokens_per_hit), h};
}

}  // namespace breakeven
