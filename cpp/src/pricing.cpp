#include "breakeven/pricing.hpp"

#include <cmath>

namespace breakeven {

namespace {
constexpr double kPerMillion = 1e-6;
}

double cache_hit_probability(double requests_per_hour, int prefix_variants,
                             double ttl_minutes) {
  return -std::expm1(-(requests_per_hour / (60.0 * prefix_variants)) * ttl_minutes);
}

bool caching_applies(const ApiModel& model, const Workload& workload, bool caching_on) {
  return caching_on && model.cached_input.has_value() && workload.prefix_tokens > 0 &&
         workload.prefix_tokens >= model.cache_min_tokens;
}

ApiCharge api_charge(const ApiModel& model, const Workload& workload, const Slice& s,
                     bool caching_on, bool batch_priced) {
  ApiCharge c;
  const double prefix = s.requests * workload.prefix_tokens;
  if (batch_priced) {
    // (1-d)((V + n P) in + O out); prompt caching does not apply.
    c.batch = (1.0 - model.batch_discount) *
              ((s.variable_input + prefix) * model.input + s.output * model.output) *
              kPerMillion;
    return c;
  }
  c.output = s.output * model.output * kPerMillion;
  if (caching_applies(model, workload, caching_on)) {
    // V in + n P (h cached_in + (1-h) w in) + O out
    const double h =
        cache_hit_probability(s.requests, workload.prefix_variants, model.cache_ttl_minutes);
    c.cached_input = prefix * h * *model.cached_input * kPerMillion;
    c.input = (s.variable_input * model.input +
               prefix * (1.0 - h) * model.cache_write_multiplier * model.input) *
              kPerMillion;
  } else {
    c.input = (s.variable_input + prefix) * model.input * kPerMillion;
  }
  return c;
}

}  // namespace breakeven
