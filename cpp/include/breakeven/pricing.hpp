// API prices of one hour's requests (MODEL.md "API cost of n requests").
// The cache-hit formula lives here: cache_hit_probability().
#pragma once

#include "breakeven/scenario.hpp"

namespace breakeven {

// Requests and their token totals: one workload's hour, or a share of it.
struct Slice {
  double requests = 0.0;        // n
  double variable_input = 0.0;  // V
  double output = 0.0;          // O

  Slice scaled(double f) const { return {requests * f, variable_input * f, output * f}; }
};

// The API cost of a slice, split the way MODEL.md splits parts.
struct ApiCharge {
  double input = 0.0;         // uncached input, cache writes included
  double cached_input = 0.0;  // n P h cached_in
  double output = 0.0;
  double batch = 0.0;         // the whole cost of batch-priced requests

  double total() const { return input + cached_input + output + batch; }
};

// Probability that a request finds its prefix warm: with Poisson arrivals of
// n/(60 K) per minute per variant, and each request refreshing the entry,
// h = 1 - exp(-(n / (60 K)) * ttl).
double cache_hit_probability(double requests_per_hour, int prefix_variants,
                             double ttl_minutes);

// Whether prompt caching applies to real-time requests of `workload` on `model`.
bool caching_applies(const ApiModel& model, const Workload& workload, bool caching_on);

// Cost of `slice` of `workload` sent to `model` in one hour. `batch_priced`:
// batch-class work with batch_api on (discounted, never cached).
ApiCharge api_charge(const ApiModel& model, const Workload& workload, const Slice& slice,
                     bool caching_on, bool batch_priced);

}  // namespace breakeven
