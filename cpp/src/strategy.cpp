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
    if (routed.empty()) continue;
    const Cluster& cluster = scenario.clusters[c];
    std::vector<ApiPricer> overflow;
    if (cluster.overflow_model)
      for (int w : routed)
        overflow.push_back(pricer(w, scenario.models[*cluster.overflow_model]));
    clusters_.push_back({c, ClusterRun(cluster, scenario.workloads, routed),
                         std::move(overflow), cluster.overflow_model.value_or(-1)});
  }
}

ApiPricer StrategyCoster::pricer(int workload, const ApiModel& model) const {
  const Workload& w = scenario_->workloads[workload];
  return ApiPricer(model, w, strategy_->caching, w.is_batch() && strategy_->batch_api);
}

void StrategyCoster::add_api(int workload, const ApiCharge& c, double requests,
                             int month, bool as_overflow, PathRecord& out) const {
  double* parts = out.parts + std::size_t(month) * kPartCount;
  if (as_overflow) {
    parts[kOverflow] += c.total();
    out.requests[std::size_t(month) * kServedCount + kByOverflow] += requests;
  } else {
    parts[kApiInput] += c.input;
    parts[kCachedInput] += c.cached_input;
    parts[kOutput] += c.output;
    parts[kBatch] += c.batch;
    out.requests[std::size_t(month) * kServedCount + kByApi] += requests;
  }
  out.workload_cost[std::size_t(month) * scenario_->workloads.size() + workload] +=
      c.total();
}

void StrategyCoster::cost_api_routes(const TrafficPath& path, PathRecord& out) const {
  for (int w = 0; w < path.workloads; ++w) {
    const Route& r = strategy_->routes[w];
    if (r.kind != Route::Kind::Api) continue;
    const ApiPricer price = pricer(w, scenario_->models[r.index]);
    for (int m = 0; m * kHoursPerMonth < path.hours; ++m) {
      // Sum the month locally; hours are independent for API routes.
      ApiCharge month;
      double requests = 0.0;
      for (int t = m * kHoursPerMonth; t < (m + 1) * kHoursPerMonth; ++t) {
        const std::size_t i = path.index(w, t);
        const ApiCharge c =
            price.charge({path.requests[i], path.variable_input[i], path.output[i]});
        month.input += c.input;
        month.cached_input += c.cached_input;
        month.output += c.output;
        month.batch += c.batch;
        requests += path.requests[i];
      }
      // Model v2: all of a model's prices move by one factor per month.
      add_api(w, month.scaled(path.model_price_factor(r.index, m)), requests, m, false,
              out);
    }
  }
}

void StrategyCoster::cost_cluster(ClusterPlan& plan, const TrafficPath& path,
                                  PathRecord& out) {
  ClusterRun& run = plan.run;
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

    const double gpu_cost =
        run.gpus() * c.gpu_price_per_hour * path.cluster_price_factor(plan.cluster, m);
    out.parts[std::size_t(m) * kPartCount + kGpu] += gpu_cost;
    out.gpu_hours[m] += run.gpus();
    double served_seconds = 0.0;
    for (double s : run.served_seconds()) served_seconds += s;
    out.gpu_seconds_served[m] += served_seconds;

    for (std::size_t k = 0; k < routed.size(); ++k) {
      const int w = routed[k];
      out.requests[std::size_t(m) * kServedCount + kByCluster] +=
          run.served_requests()[k];
      // A workload carries the hour's GPU cost in proportion to the GPU-seconds it
      // used.
      if (served_seconds > 0)
        out.workload_cost[std::size_t(m) * n_workloads + w] +=
            gpu_cost * run.served_seconds()[k] / served_seconds;
      const Slice& away = run.turned_away()[k];
      if (away.requests <= 0) continue;
      if (!plan.overflow.empty())
        add_api(w,
                plan.overflow[k].charge(away).scaled(
                    path.model_price_factor(plan.overflow_model, m)),
                away.requests, m, true, out);
      else
        out.requests[std::size_t(m) * kServedCount + kUnserved] += away.requests;
    }
  }
  for (int m = 0; m < scenario_->horizon_months; ++m)
    out.parts[std::size_t(m) * kPartCount + kFixed] += c.fixed.in_month(m);
}

void StrategyCoster::cost(const TrafficPath& path, PathRecord out) {
  cost_api_routes(path, out);
  for (ClusterPlan& plan : clusters_) cost_cluster(plan, path, out);
  for (int m = 0; m < scenario_->horizon_months; ++m) {
    const double* p = out.parts + std::size_t(m) * kPartCount;
    double total = 0.0;
    for (int k = 0; k < kPartCount; ++k) total += p[k];
    out.cost[m] = total;
  }
}

}  // namespace breakeven
