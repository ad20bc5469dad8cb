// API prices of one hour's requests (MODEL.md "API cost of n requests"). How
// much the prompt cache serves (the cache-hit formulas) is in cache.hpp.
#pragma once

#include "breakeven/cache.hpp"
#include "breakeven/long_context.hpp"
#include "breakeven/scenario.hpp"

namespace breakeven {

// Requests and their token totals: one workload's hour, or a share of it.
struct Slice {
  double requests = 0.0;        // n
  double variable_input = 0.0;  // V
  double output = 0.0;          // O

  Slice scaled(double f) const {
    return {requests * f, variable_input * f, output * f};
  }
};

// The API cost of a slice, split the way MODEL.md splits parts.
struct ApiCharge {
  double input = 0.0;         // uncached input, cache writes and storage included
  double cached_input = 0.0;  // n P h cached_in
  double output = 0.0;
  double batch = 0.0;  // the whole cost of batch-priced requests

  double total() const { return input + cached_input + output + batch; }
  ApiCharge scaled(double f) const {
    return {input * f, cached_input * f, output * f, batch * f};
  }
};

// Whether prompt caching applies to real-time requests of `workload` on `model`:
// caching on, a cached price, and a shared prefix of at least the model's
// minimum or a conversation.
bool caching_applies(const ApiModel& model, const Workload& workload, bool caching_on);

// The price list of one (model, workload, strategy options) pair, resolved once
// so that pricing an hour is a few multiplications.
class ApiPricer {
 public:
  // `batch_priced`: batch-class work with batch_api on (discounted, never cached).
  // `ttl_minutes`: the TTL the strategy asks (0: the model's default tier).
  // `tier_multiplier`: of all token prices (a service tier, 1: standard); a
  // long-context tier is blended in (long_context.hpp).
  ApiPricer(const ApiModel& model, const Workload& workload, bool caching_on,
            bool batch_priced, double ttl_minutes = 0.0, double tier_multiplier = 1.0);

  ApiCharge charge(const Slice& s) const {
    return charge(s, uses_cache() ? cache_use(s.requests, s.variable_input) : CacheUse{});
  }
  // The same given the cache's use of the slice (one hour's, or a month's sums:
  // path_totals.hpp).
  ApiCharge charge(const Slice& s, const CacheUse& use) const {
    ApiCharge c;
    const double prefix = s.requests * prefix_tokens_;
    if (batch_priced_) {
      // (1-d)((V + n P) in + O out); prompt caching does not apply.
      c.batch =
          batch_factor_ * ((s.variable_input + prefix) * input_ + s.output * output_);
      return c;
    }
    c.output = s.output * output_;
    if (cached_) {
      // Reads at cached_in; the rest of the prefix written at w in, and of the
      // variable input too when a conversation writes its whole prompt.
      c.cached_input =
          (use.prefix_hits * prefix_tokens_ + use.cached_variable) * cached_input_;
      c.input = (s.variable_input - use.cached_variable) * variable_input_ +
                (s.requests - use.prefix_hits) * prefix_tokens_ * write_input_;
      if (storage_ > 0)
        c.input += storage_ * (use.kept * stored_prefix_tokens_ +
                               s.requests * conversation_.stored_token_minutes / 60.0);
    } else {
      c.input = (s.variable_input + prefix) * input_;
    }
    return c;
  }
  // The expected cache use of n requests with variable input V (cache.hpp).
  CacheUse cache_use(double requests, double variable_input) const {
    return breakeven::cache_use(requests, variable_input, conversation_, shared_prefix_,
                                variants_, ttl_minutes_);
  }

  // Whether the cache matters: caching applies and the work is not batch-priced.
  bool uses_cache() const { return cached_ && !batch_priced_; }
  double ttl_minutes() const { return ttl_minutes_; }
  int prefix_variants() const { return variants_; }
  bool shared_prefix() const { return shared_prefix_; }
  // Whether the tier bills storage (CacheUse::kept matters).
  bool stores() const { return storage_ > 0; }
  const ConversationCache& conversation() const { return conversation_; }

 private:
  ApiPricer(const ApiModel& model, const Workload& workload, bool caching_on,
            bool batch_priced, const CacheTier& tier, const TokenPrices& prices);

  // Prices per token (the model's are per 1M tokens); storage per token-hour.
  double input_, output_, cached_input_, write_input_, variable_input_, batch_factor_;
  double storage_;
  double prefix_tokens_, ttl_minutes_;
  double stored_prefix_tokens_;  // K P when the shared prefix is cached, else 0
  int variants_;
  bool cached_, batch_priced_, shared_prefix_;
  ConversationCache conversation_;
};

// Cost of `slice` of `workload` sent to `model` in one hour.
inline ApiCharge api_charge(const ApiModel& model, const Workload& workload,
                            const Slice& slice, bool caching_on, bool batch_priced) {
  return ApiPricer(model, workload, caching_on, batch_priced).charge(slice);
}

}  // namespace breakeven
