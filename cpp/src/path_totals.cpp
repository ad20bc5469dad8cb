#include "breakeven/path_totals.hpp"

#include <algorithm>

#include "breakeven/month_sums.hpp"

namespace breakeven {

void PathTotals::clear() {
  for (auto& m : months_) m.clear();
  uses_used_ = 0;
}

const Slice* PathTotals::months(const TrafficPath& path, int workload) {
  if (int(months_.size()) < path.workloads) months_.resize(path.workloads);
  std::vector<Slice>& out = months_[workload];
  if (!out.empty()) return out.data();
  out.resize(path.months);
  const std::size_t first = path.index(workload, 0);
  month_sums_.resize(3 * std::size_t(path.months));
  double* requests = month_sums_.data();
  double* input = requests + path.months;
  double* output = input + path.months;
  sum_months(&path.requests[first], path.hours, requests);
  sum_months(&path.variable_input[first], path.hours, input);
  sum_months(&path.output[first], path.hours, output);
  for (int m = 0; m < path.months; ++m) out[m] = {requests[m], input[m], output[m]};
  return out.data();
}

const CacheUse* PathTotals::cache_use(const TrafficPath& path, int workload,
                                      const ApiPricer& price, double share) {
  const double ttl = price.ttl_minutes();
  const int variants = price.prefix_variants();
  const bool shared = price.shared_prefix();
  const ConversationCache& talk = price.conversation();
  for (std::size_t i = 0; i < uses_used_; ++i) {
    const Uses& e = uses_[i];
    if (e.workload == workload && e.share == share && e.ttl_minutes == ttl && e.variants == variants &&
        e.shared_prefix == shared && e.stores == price.stores() &&
        e.hit_share == talk.hit_share &&
        e.tokens_per_hit == talk.tokens_per_hit)
      return e.months.data();
  }
  if (uses_used_ == uses_.size()) uses_.emplace_back();
  Uses& e = uses_[uses_used_++];
  e = {workload, share, ttl, variants, shared, price.stores(), talk.hit_share,
       talk.tokens_per_hit, {}};
  e.months.assign(path.months, CacheUse{});
  const double* n = &path.requests[path.index(workload, 0)];
  const double* v = &path.variable_input[path.index(workload, 0)];
  const int hours = path.hours;
  if (share != 1.0) {
    scaled_.resize(2 * std::size_t(hours));
    for (int t = 0; t < hours; ++t) {
      scaled_[t] = n[t] * share;
      scaled_[hours + t] = v[t] * share;
    }
    n = scaled_.data();
    v = scaled_.data() + hours;
  }
  hour_hits_.resize(3 * std::size_t(hours));
  double* hits = hour_hits_.data();
  double* kept = hits + hours;
  double* cached_variable = kept + hours;
  month_sums_.resize(path.months);
  double* sums = month_sums_.data();
  if (talk.hit_share > 0 || !shared) {
    // A conversation, or none of the shared prefix: hour by hour (cache.hpp).
    for (int t = 0; t < hours; ++t) {
      const CacheUse u = breakeven::cache_use(n[t], v[t], talk, shared, variants, ttl);
      hits[t] = u.prefix_hits;
      kept[t] = u.kept;
      cached_variable[t] = u.cached_variable;
    }
    sum_months(cached_variable, hours, sums);
    for (int m = 0; m < path.months; ++m) e.months[m].cached_variable = sums[m];
  } else {
    // The shared prefix alone: h(n), n h(n). A busy workload's prefix is warm for
    // sure (h = 1) in most hours: a group of hours that all are skips the
    // exponential, with the same bits.
    constexpr int kGroup = 32;
    for (int t0 = 0; t0 < hours; t0 += kGroup) {
      const int end = std::min(hours, t0 + kGroup);
      bool warm = true;
      for (int t = t0; t < end; ++t) warm &= cache_always_warm(n[t], variants, ttl);
      if (warm) {
        std::copy(n + t0, n + end, hits + t0);
        std::fill(kept + t0, kept + end, 1.0);
        continue;
      }
      for (int t = t0; t < end; ++t) {
        kept[t] = cache_hit_probability(n[t], variants, ttl);
        hits[t] = n[t] * kept[t];
      }
    }
  }
  sum_months(hits, hours, sums);
  for (int m = 0; m < path.months; ++m) e.months[m].prefix_hits = sums[m];
  if (e.stores) {  // only storage is billed on the share of the hour kept
    sum_months(kept, hours, sums);
    for (int m = 0; m < path.months; ++m) e.months[m].kept = sums[m];
  }
  return e.months.data();
}

}  // namespace breakeven
