#include "breakeven/pricing.hpp"

namespace breakeven {
namespace {

// The shared prefix alone is cacheable: at least the model's minimum.
bool prefix_cacheable(const ApiModel& model, const Workload& workload) {
  return workload.prefix_tokens > 0 && workload.prefix_tokens >= model.cache_min_tokens;
}

}  // namespace

bool caching_applies(const ApiModel& model, const Workload& workload, bool caching_on) {
  return caching_on && model.cached_input.has_value() &&
         (prefix_cacheable(model, workload) || workload.conversation.has_value());
}

ApiPricer::ApiPricer(const ApiModel& model, const Workload& workload, bool caching_on,
                     bool batch_priced, double ttl_minutes, double tier_multiplier)
    : ApiPricer(model, workload, caching_on, batch_priced, cache_tier(model, ttl_minutes),
                token_prices(model, workload, tier_multiplier)) {}

ApiPricer::ApiPricer(const ApiModel& model, const Workload& workload, bool caching_on,
                     bool batch_priced, const CacheTier& tier, const TokenPrices& prices)
    : input_(prices.input * 1e-6),
      output_(prices.output * 1e-6),
      cached_input_(prices.cached_input * 1e-6),
      write_input_(tier.write_multiplier * prices.input * 1e-6),
      // A conversation writes its whole prompt; otherwise the variable part is
      // never cached and costs the plain input price.
      variable_input_(workload.conversation ? write_input_ : input_),
      batch_factor_(1.0 - model.batch_discount),
      storage_(tier.storage_per_mtok_hour * 1e-6),
      prefix_tokens_(workload.prefix_tokens),
      ttl_minutes_(tier.ttl_minutes),
      stored_prefix_tokens_(prefix_cacheable(model, workload)
                                ? workload.prefix_variants * workload.prefix_tokens
                                : 0.0),
      variants_(workload.prefix_variants),
      cached_(caching_applies(model, workload, caching_on)),
      batch_priced_(batch_priced),
      shared_prefix_(prefix_cacheable(model, workload)) {
  if (uses_cache() && workload.conversation)
    conversation_ = ConversationCache(workload, model, tier);
}

}  // namespace breakeven
