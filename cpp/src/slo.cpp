#include "breakeven/slo.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace breakeven {

ServingProfile cluster_server(const Cluster& cluster, int replicas) {
  ServingProfile p;
  p.prefill_tokens_per_s = cluster.prefill_tokens_per_s * cluster.replica_gpus;
  p.decode_tokens_per_s = cluster.decode_tokens_per_s * cluster.replica_gpus;
  const double batch =
      cluster.serving ? cluster.serving->concurrency : serving::kDefaultConcurrency;
  p.max_batch = int(std::clamp(std::round(batch), 1.0, double(limits::kMaxBatch)));
  p.replicas = replicas;
  return p;
}

RequestMix routed_mix(const std::vector<Workload>& workloads,
                      const std::vector<int>& routed,
                      const std::vector<double>& share) {
  // Moments of the mixture: E[x] and E[x^2] weighted by each workload's requests.
  double n = 0, in1 = 0, in2 = 0, out1 = 0, out2 = 0, dispersion = 0;
  for (std::size_t k = 0; k < routed.size(); ++k) {
    const Workload& w = workloads[routed[k]];
    const double rate = w.requests_per_hour * share[k];
    n += rate;
    in1 += rate * w.input.mean;
    in2 += rate * (w.input.sd * w.input.sd + w.input.mean * w.input.mean);
    out1 += rate * w.output.mean;
    out2 += rate * (w.output.sd * w.output.sd + w.output.mean * w.output.mean);
    dispersion += rate * w.spikiness.minute_dispersion;
  }
  RequestMix mix;
  if (n <= 0) n = 1;  // no requests: sizes do not matter, keep them valid
  // The latency model wants sizes of at least a token and a cv of at most kMaxTokenCv.
  auto size = [n](double m1, double m2, double& mean, double& sd) {
    mean = std::max(1.0, m1 / n);
    sd = std::min(std::sqrt(std::max(0.0, m2 / n - (m1 / n) * (m1 / n))),
                  limits::kMaxTokenCv * mean);
  };
  size(in1, in2, mix.input_mean, mix.input_sd);
  size(out1, out2, mix.output_mean, mix.output_sd);
  mix.minute_dispersion = dispersion / n;
  return mix;
}

double slo_ceiling(const ServingProfile& server, const RequestMix& mix,
                   const Slo& slo) {
  const double capacity = serving_capacity_per_hour(server, mix);
  auto within = [&](double load) {
    RequestMix at = mix;
    at.requests_per_hour = load * capacity;
    const LatencyPercentiles p = serving_latency(server, at);
    return p.ttft_p95 <= slo.ttft_p95_s && p.tpot_p95 <= slo.tpot_p95_s;
  };
  if (!within(0.0)) return 0.0;
  // The percentiles rise with the load: bisect on it, within(lo) and !within(hi)
  // (at a load of 1 they are infinite).
  double lo = 0.0, hi = 1.0;
  for (int i = 0; i < kSloBisections; ++i) {
    const double mid = 0.5 * (lo + hi);
    (within(mid) ? lo : hi) = mid;
  }
  return lo * capacity;
}

SloCeilings::SloCeilings(const Scenario& scenario)
    : clusters_(int(scenario.clusters.size())) {
  const auto& workloads = scenario.workloads;
  plans_.resize(scenario.strategies.size() * std::size_t(clusters_));
  // Strategies that send the same workloads in the same shares to a cluster share
  // its ceilings.
  using Key = std::tuple<int, std::vector<int>, std::vector<double>>;
  std::map<Key, std::vector<std::vector<double>>> built;
  for (int s = 0; s < int(scenario.strategies.size()); ++s)
    for (int c = 0; c < clusters_; ++c) {
      const Cluster& cluster = scenario.clusters[c];
      // Routed workloads in workload order, as ClusterRun numbers them (k).
      std::vector<int> routed, realtime_w;
      std::vector<double> realtime_share;
      ClusterSlo plan;
      for (int w = 0; w < int(workloads.size()); ++w)
        for (const RouteLeg& leg : scenario.strategies[s].routes[w].legs)
          if (leg.kind == Route::Kind::Cluster && leg.index == c) {
            const int k = int(routed.size());
            routed.push_back(w);
            if (workloads[w].is_batch()) continue;
            plan.realtime.push_back(k);
            realtime_w.push_back(w);
            realtime_share.push_back(leg.share);
            if (workloads[w].slo) plan.slots.push_back(k);
          }
      if (plan.slots.empty()) continue;
      auto& ceilings = built[Key{c, realtime_w, realtime_share}];
      if (ceilings.empty()) {
        // Replica counts the cluster can run: autoscaled from min_gpus, else all
        // of max_gpus; up to all of them and the spot GPUs.
        const int g = cluster.replica_gpus;
        const int spot = cluster.spot ? cluster.spot->gpus : 0;
        const int most = (cluster.max_gpus + spot) / g;
        const int least =
            (cluster.autoscaled ? cluster.min_gpus : cluster.max_gpus) / g;
        const RequestMix mix = routed_mix(workloads, realtime_w, realtime_share);
        ceilings.assign(plan.slots.size(),
                        std::vector<double>(std::size_t(most) + 1, 0.0));
        for (int r = std::max(1, least); r <= most; ++r)
          for (std::size_t j = 0; j < plan.slots.size(); ++j)
            ceilings[j][r] = slo_ceiling(cluster_server(cluster, r), mix,
                                         *workloads[routed[plan.slots[j]]].slo);
      }
      plan.ceilings = ceilings;
      plan.all_met = ceilings[0];
      for (std::size_t r = 0; r < plan.all_met.size(); ++r) {
        for (const auto& c : ceilings) plan.all_met[r] = std::min(plan.all_met[r], c[r]);
        if (r > 0) plan.all_met[r] = std::max(plan.all_met[r], plan.all_met[r - 1]);
      }
      plans_[std::size_t(s) * clusters_ + c] = std::move(plan);
    }
}

const ClusterSlo* SloCeilings::of(int strategy, int cluster) const {
  const ClusterSlo& plan = plans_[std::size_t(strategy) * clusters_ + cluster];
  return plan.slots.empty() ? nullptr : &plan;
}

}  // namespace breakeven
