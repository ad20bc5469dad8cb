#include "breakeven/pricing.hpp"

namespace breakeven {

bool caching_applies(const ApiModel& model, const Workload& workload, bool caching_on) {
  return caching_on && model.cached_input.has_value() && workload.prefix_tokens > 0 &&
         workload.prefix_tokens >= model.cache_min_tokens;
}

ApiPricer::ApiPricer(const ApiModel& model, const Workload& workload, bool caching_on,
                     bool batch_priced)
    : input_(model.input * 1e-6),
      output_(model.output * 1e-6),
      cached_input_(model.cached_input.value_or(0.0) * 1e-6),
      write_input_(model.cache_write_multiplier * model.input * 1e-6),
      batch_factor_(1.0 - model.batch_discount),
      prefix_tokens_(workload.prefix_tokens),
      ttl_minutes_(model.cache_ttl_minutes),
      variants_(workload.prefix_variants),
      cached_(caching_applies(model, workload, caching_on)),
      batch_priced_(batch_priced) {}

}  // namespace breakeven
