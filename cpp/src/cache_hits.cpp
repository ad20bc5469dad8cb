#include "breakeven/cache_hits.hpp"

#include "breakeven/pricing.hpp"

namespace breakeven {

const double* CacheHitTable::hours(const TrafficPath& path, int workload,
                                   double ttl_minutes, int variants) {
  for (std::size_t i = 0; i < used_; ++i) {
    const Entry& e = entries_[i];
    if (e.workload == workload && e.ttl_minutes == ttl_minutes && e.variants == variants)
      return e.h.data();
  }
  if (used_ == entries_.size()) entries_.emplace_back();
  Entry& e = entries_[used_++];
  e.workload = workload;
  e.ttl_minutes = ttl_minutes;
  e.variants = variants;
  e.h.resize(path.hours);
  const double* n = &path.requests[path.index(workload, 0)];
  for (int t = 0; t < path.hours; ++t)
    e.h[t] = cache_hit_probability(n[t], variants, ttl_minutes);
  return e.h.data();
}

}  // namespace breakeven
