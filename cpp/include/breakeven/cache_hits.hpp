// Cache-hit probabilities of one path's whole hours, computed once and shared by
// every strategy costed on that path: they all see the same traffic, and the
// exponential in the formula (pricing.hpp) is most of an API hour's cost.
#pragma once

#include <vector>

#include "breakeven/traffic.hpp"

namespace breakeven {

class CacheHitTable {
 public:
  // A new path: forget the previous one's.
  void clear() { used_ = 0; }
  // h(t) for every hour of `workload` on `path` at this TTL and prefix variants.
  const double* hours(const TrafficPath& path, int workload, double ttl_minutes,
                      int variants);

 private:
  struct Entry {
    int workload;
    double ttl_minutes;
    int variants;
    std::vector<double> h;
  };
  std::vector<Entry> entries_;  // the first used_ are this path's; kept for reuse
  std::size_t used_ = 0;
};

}  // namespace breakeven
