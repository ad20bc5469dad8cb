#include "breakeven/strategy.hpp"

#include <algorithm>

#include "breakeven/calendar.hpp"
#include "breakeven/pricing.hpp"

namespace breakeven {

StrategyCoster::StrategyCoster(const Scenario& scenario, int strategy)
    : scenario_(&scenario), strategy_(&scenario.strategies[strategy]) {
  for (int c = 0; c < int(scenario.clusters.size()); ++c) {
    std::vector<int> routed;
    for (int w = 0; w < int(scenario.workloads.size()); ++w) {
      const Route& r = strategy_->routes[w];
      if (r.kind == Route::Kind::Cluster && r.index == c) routed.push_back(w);
    }
    if (!routed.empty()) clusters_.emplace_back(scenario.clusters[c], scenario.workloads, routed);
  }
}

void StrategyCoster::add_api(const Workload& w, int w_index, const ApiModel& model,
                             const Slice& slice, int month, bool as_overflow,
                             PathRecord& out) const {
  const bool batch_priced = w.is_batch() && strategy_->batch_api;
  const ApiCharge c = api_charge(model, w, slice, strategy_->caching, batch_priced);
  double* parts = out.parts + std::size_t(month) * kPartCount;
  if (as_overflow) {
    parts[kOverflow] += c.total();
    out.requests[std::size_t(month) * kServedCount + kByOverflow] += slice.requests;
  } else {
    parts[kApiInput] += c.input;
    parts[kCachedInput] += c.cached_input;
    parts[kOutput] += c.output;
    parts[kBatch] += c.batch;
    out.requests[std::size_t(month) * kServedCount + kByApi] += slice.requests;
  }
  out.workload_cost[std::size_t(month) * scenario_->workloads.size() + w_index] += c.total();
}

void StrategyCoster::cost_api_routes(const TrafficPath& path, PathRecord& out) const {
  for (int w = 0; w < path.workloads; ++w) {
    const Route& r = strategy_->routes[w];
    if (r.kind != Route::Kind::Api) continue;
    const Workload& wl = scenario_->workloads[w];
    const ApiModel& model = scenario_->models[r.index];
    for (int t = 0; t < path.hours; ++t) {
      const std::size_t i = path.index(w, t);
      const Slice s{path.requests[i], path.variable_input[i], path.output[i]};
      add_api(wl, w, model, s, month_of(t), false, out);
    }
  }
}

void StrategyCoster::cost_cluster(ClusterRun& run, const TrafficPath& path, PathRecord& out) {
  const Cluster& c = run.cluster();
  const auto& routed = run.routed();
  const std::size_t n_workloads = scenario_->workloads.size();
  demand_.resize(routed.size());
  run.reset();
  for (int t = 0; t < path.hours; ++t) {
    const int m = month_of(t);
    for (std::size_t k = 0; k < routed.size(); ++k) {
      const std::size_t i = path.index(routed[k], t);
      demand_[k] = {path.requests[i], path.variable_input[i], path.output[i]};
    }
    run.step(t, demand_);

    const double gpu_cost = run.gpus() * c.gpu_price_per_hour;
    out.parts[std::size_t(m) * kPartCount + kGpu] += gpu_cost;
    out.gpu_hours[m] += run.gpus();
    double served_seconds = 0.0;
    for (double s : run.served_seconds()) served_seconds += s;
    out.gpu_seconds_served[m] += served_seconds;

    for (std::size_t k = 0; k < routed.size(); ++k) {
      const int w = routed[k];
      const Workload& wl = scenario_->workloads[w];
      out.requests[std::size_t(m) * kServedCount + kByCluster] += run.served_requests()[k];
      // A workload carries the hour's GPU cost in proportion to the GPU-seconds it used.
      if (served_seconds > 0)
        out.workload_cost[std::size_t(m) * n_workloads + w] +=
            gpu_cost * run.served_seconds()[k] / served_seconds;
      const Slice& away = run.turned_away()[k];
      if (away.requests <= 0) continue;
      if (c.overflow_model)
        add_api(wl, w, scenario_->models[*c.overflow_model], away, m, true, out);
      else
        out.requests[std::size_t(m) * kServedCount + kUnserved] += away.requests;
    }
  }
  for (int m = 0; m < scenario_->horizon_months; ++m)
    out.parts[std::size_t(m) * kPartCount + kFixed] += c.fixed.in_month(m);
}

void StrategyCoster::cost(const TrafficPath& path, PathRecord out) {
  cost_api_routes(path, out);
  for (ClusterRun& run : clusters_) cost_cluster(run, path, out);
  for (int m = 0; m < scenario_->horizon_months; ++m) {
    const double* p = out.parts + std::size_t(m) * kPartCount;
    double total = 0.0;
    for (int k = 0; k < kPartCount; ++k) total += p[k];
    out.cost[m] = total;
  }
}

}  // namespace breakeven
