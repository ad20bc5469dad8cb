#include "breakeven/result.hpp"

namespace breakeven {

double SimulationResult::bytes_per_path(int strategies, int months, int workloads,
                                        int price_paths, bool with_slo) {
  // cost, gpu_hours, gpu_seconds_served, parts, workload_cost, requests, details,
  // slo breach hours; demand and price factors.
  const double per_month = 3 + kPartCount + workloads + kServedCount + kDetailCount +
                           (with_slo ? workloads : 0);
  return 8.0 * months * (double(strategies) * per_month + 1 + price_paths);
}

void SimulationResult::start(const Scenario& sc, Mode run_mode, std::uint64_t run_seed) {
  scenario = sc.name;
  history = sc.history;
  serving.clear();
  for (const Cluster& c : sc.clusters)
    if (c.serving) serving.emplace_back(c.name, *c.serving);
  mode = run_mode;
  paths = 0;
  seed = run_seed;
  months = sc.horizon_months;
  baseline = sc.baseline;
  slo_workloads.clear();
  for (int w = 0; w < int(sc.workloads.size()); ++w)
    if (sc.workloads[w].slo) slo_workloads.push_back(w);
  strategy_names.clear();
  for (const auto& s : sc.strategies) strategy_names.push_back(s.name);
  workload_names.clear();
  for (const auto& w : sc.workloads) workload_names.push_back(w.name);
  price_path_names.clear();
  price_path_models.clear();
  price_path_clusters.clear();
  for (int i = 0; i < int(sc.models.size()); ++i)
    if (!sc.models[i].price_path.is_flat()) {
      price_path_names.push_back(sc.models[i].name);
      price_path_models.push_back(i);
    }
  for (int i = 0; i < int(sc.clusters.size()); ++i)
    if (!sc.clusters[i].gpu_price_path.is_flat()) {
      price_path_names.push_back(sc.clusters[i].name + " (GPU)");
      price_path_clusters.push_back(i);
    }
}

namespace {
template <class F>
void for_each_array(SimulationResult& r, F f) {
  const std::size_t row = std::size_t(r.strategies()) * r.months;
  f(r.cost, row);
  f(r.parts, row * kPartCount);
  f(r.workload_cost, row * r.workloads());
  f(r.requests, row * kServedCount);
  f(r.gpu_hours, row);
  f(r.gpu_seconds_served, row);
  f(r.details, row * kDetailCount);
  f(r.slo_breach_hours, r.has_slo() ? row * r.workloads() : 0);
  f(r.demand, std::size_t(r.months));
  f(r.price_factors, r.price_path_names.size() * r.months);
}
}  // namespace

void SimulationResult::reserve_paths(int n) {
  for_each_array(*this, [n](std::vector<double>& a, std::size_t per_path) {
    a.reserve(per_path * n);
  });
}

void SimulationResult::add_paths(int n) {
  paths += n;
  const int total = paths;
  for_each_array(*this, [total](std::vector<double>& a, std::size_t per_path) {
    a.resize(per_path * total, 0.0);
  });
}

PathRecord SimulationResult::record(int s, int p) {
  const std::size_t base = offset(s, p, 0);
  return {cost.data() + base,
          parts.data() + base * kPartCount,
          workload_cost.data() + base * workloads(),
          requests.data() + base * kServedCount,
          gpu_hours.data() + base,
          gpu_seconds_served.data() + base,
          details.data() + base * kDetailCount,
          has_slo() ? slo_breach_hours.data() + base * workloads() : nullptr};
}

}  // namespace breakeven
