// API prices of one hour's requests (MODEL.md "API cost of n requests").
// The cache-hit formula lives here: cache_hit_probability().
#pragma once

#include "breakeven/exp.hpp"
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
  double input = 0.0;         // uncached input, cache writes included
  double cached_input = 0.0;  // n P h cached_in
  double output = 0.0;
  double batch = 0.0;  // the whole cost of batch-priced requests

  double total() const { return input + cached_input + output + batch; }
  ApiCharge scaled(double f) const {
    return {input * f, cached_input * f, output * f, batch * f};
  }
};

// Probability that a request finds its prefix warm: with Poisson arrivals of
// n/(60 K) per minute per variant, and each request refreshing the entry,
// h = 1 - exp(-(n / (60 K)) * ttl).
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

// Whether prompt caching applies to real-time requests of `workload` on `model`.
bool caching_applies(const ApiModel& model, const Workload& workload, bool caching_on);

// The price list of one (model, workload, strategy options) pair, resolved once
// so that pricing an hour is a few multiplications.
class ApiPricer {
 public:
  // `batch_priced`: batch-class work with batch_api on (discounted, never cached).
  ApiPricer(const ApiModel& model, const Workload& workload, bool caching_on,
            bool batch_priced);

  ApiCharge charge(const Slice& s) const {
    return charge(s, uses_cache() ? s.requests * cache_hit_probability(
                                                     s.requests, variants_, ttl_minutes_)
                                  : 0.0);
  }
  // The same given `hits`, how many of the slice's requests find the prefix warm
  // (n h for one hour; a month's total prices a month: path_totals.hpp).
  ApiCharge charge(const Slice& s, double hits) const {
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
      // V in + n P (h cached_in + (1-h) w in) + O out
      c.cached_input = hits * prefix_tokens_ * cached_input_;
      c.input = s.variable_input * input_ +
                (s.requests - hits) * prefix_tokens_ * write_input_;
    } else {
      c.input = (s.variable_input + prefix) * input_;
    }
    return c;
  }

  // Whether h matters: caching applies and the work is not batch-priced.
  bool uses_cache() const { return cached_ && !batch_priced_; }
  double ttl_minutes() const { return ttl_minutes_; }
  int prefix_variants() const { return variants_; }

 private:
  // Prices per token (the model's are per 1M tokens).
  double input_, output_, cached_input_, write_input_, batch_factor_;
  double prefix_tokens_, ttl_minutes_;
  int variants_;
  bool cached_, batch_priced_;
};

// Cost of `slice` of `workload` sent to `model` in one hour.
inline ApiCharge api_charge(const ApiModel& model, const Workload& workload,
                            const Slice& slice, bool caching_on, bool batch_priced) {
  return ApiPricer(model, workload, caching_on, batch_priced).charge(slice);
}

}  // namespace breakeven
