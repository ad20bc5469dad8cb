#include "breakeven/path_totals.hpp"

#include <algorithm>

#include "breakeven/month_sums.hpp"

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
  hour_hits_.resize(std::size_t(path.hours));
  // A busy workload's prefix is warm for sure (h = 1) in most hours: a group of
  // hours that all are skips the exponential, with the same bits.
  constexpr int kGroup = 32;
  for (int t0 = 0; t0 < path.hours; t0 += kGroup) {
    const int end = std::min(path.hours, t0 + kGroup);
    bool warm = true;
    for (int t = t0; t < end; ++t) warm &= cache_always_warm(n[t], variants, ttl_minutes);
    if (warm) {
      std::copy(n + t0, n + end, &hour_hits_[t0]);
      continue;
    }
    for (int t = t0; t < end; ++t)
      hour_hits_[t] = n[t] * cache_hit_probability(n[t], variants, ttl_minutes);
  }
  sum_months(hour_hits_.data(), path.hours, e.months.data());
  return e.months.data();
}

}  // namespace breakeven
