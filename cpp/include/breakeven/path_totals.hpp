// Monthly totals of one path's traffic, computed once and shared by every
// strategy costed on that path (they all see the same traffic). An API route's
// cost is linear in a month's requests, tokens and expected cache hits, so these
// totals price a whole month at once; the cache-hit formula (pricing.hpp) is
// evaluated once per workload-hour for every strategy together.
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
  // Workload w's requests per month that find the prefix warm, sum of n h(n)
  // over the month's hours, at this TTL and number of prefix variants.
  const double* cache_hits(const TrafficPath& path, int workload, double ttl_minutes,
                           int variants);

 private:
  struct Hits {
    int workload;
    double ttl_minutes;
    int variants;
    std::vector<double> months;
  };
  std::vector<std::vector<Slice>> months_;  // per workload; empty until asked
  std::vector<Hits> hits_;  // the first hits_used_ are this path's; kept for reuse
  std::size_t hits_used_ = 0;
  std::vector<double> hour_hits_;   // scratch: n h(n) per hour
  std::vector<double> month_sums_;  // scratch: months() by quantity
};

}  // namespace breakeven
