// Monthly totals of one path's traffic, computed once and shared by every
// strategy costed on that path (they all see the same traffic). An API route's
// cost is linear in a month's requests, tokens and the cache's use, so these
// totals price a whole month at once; the cache formulas (cache.hpp) are
// evaluated once per workload-hour for every strategy with the same cache.
#pragma once

#include <vector>

#include "breakeven/pricing.hpp"
#include "breakeven/traffic.hpp"

namespace breakeven {

class PathTotals {
 public:
  // A new path: forget the previous one's.
  void clear();
  // Workload w's requests, variable input and output tokens per month.
  const Slice* months(const TrafficPath& path, int workload);
  // Workload w's cache use per month under `price`'s cache (its TTL, prefix
  // variants and conversation figures): the sums of the hours' CacheUse, for the
  // `share` of every hour's requests a route's leg sends there (its own cache sees
  // only those).
  const CacheUse* cache_use(const TrafficPath& path, int workload, const ApiPricer& price,
                            double share = 1.0);

 private:
  struct Uses {
    int workload;
    double share;
    double ttl_minutes;
    int variants;
    bool shared_prefix, stores;
    double hit_share, tokens_per_hit;
    std::vector<CacheUse> months;
  };
  std::vector<std::vector<Slice>> months_;  // per workload; empty until asked
  std::vector<Uses> uses_;  // the first uses_used_ are this path's; kept for reuse
  std::size_t uses_used_ = 0;
  std::vector<double> hour_hits_;   // scratch per hour: prefix hits, then the rest
  std::vector<double> month_sums_;  // scratch: months() by quantity
  std::vector<double> scaled_;      // scratch: a leg's share of the hours' n and V
};

}  // namespace breakeven
