#include "breakeven/path_totals.hpp"

#include <algorithm>

#include "breakeven/calendar.hpp"

namespace breakeven {

void PathTotals::clear() {
  for (auto& m : months_) m.clear();
  hits_used_ = 0;
}

const Slice* PathTotals::months(const TrafficPath& path, int workload) {
  if (int(months_.size()) < path.workloads) months_.resize(path.workloads);
  std::vector<Slice>& out = months_[workload];
  if (!out.empty()) return out.data();
  out.resize(path.months);
  const std::size_t first = path.index(workload, 0);
  for (int m = 0, t = 0; m < path.months; ++m) {
    Slice s;
    for (const int end = std::min(path.hours, t + kHoursPerMonth); t < end; ++t) {
      s.requests += path.requests[first + t];
      s.variable_input += path.variable_input[first + t];
      s.output += path.output[first + t];
    }
    out[m] = s;
  }
  return out.data();
}

const double* PathTotals::cache_hits(const TrafficPath& path, int workload,
                                     double ttl_minutes, int variants) {
  for (std::size_t i = 0; i < hits_used_; ++i) {
    const Hits& e = hits_[i];
    if (e.workload == workload && e.ttl_minutes == ttl_minutes && e.variants == variants)
      return e.months.data();
  }
  if (hits_used_ == hits_.size()) hits_.emplace_back();
  Hits& e = hits_[hits_used_++];
  e.workload = workload;
  e.ttl_minutes = ttl_minutes;
  e.variants = variants;
  e.months.assign(path.months, 0.0);
  const double* n = &path.requests[path.index(workload, 0)];
  hour_hits_.resize(kHoursPerMonth);
  for (int m = 0, t = 0; m < path.months; ++m) {
    // The month's hours in one pass that vectorizes, then their sum in order.
    const int hours = std::min(path.hours - t, kHoursPerMonth);
    for (int i = 0; i < hours; ++i)
      hour_hits_[i] = n[t + i] * cache_hit_probability(n[t + i], variants, ttl_minutes);
    double sum = 0.0;
    for (int i = 0; i < hours; ++i) sum += hour_hits_[i];
    e.months[m] = sum;
    t += hours;
  }
  return e.months.data();
}

}  // namespace breakeven
