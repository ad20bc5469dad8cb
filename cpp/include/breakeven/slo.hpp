// Latency SLOs in a run (docs/model.md "Serving latency", "SLOs in a run"): for
// each cluster a strategy uses and each workload it sends there with an `slo`, the
// highest real-time request rate per hour at which the cluster meets that slo,
// one per replica count. An hour breaches when the cluster's real-time requests
// served are above the ceiling of its replicas: one comparison an hour.
#pragma once

#include <vector>

#include "breakeven/latency.hpp"
#include "breakeven/scenario.hpp"

namespace breakeven {

// The server a cluster's replicas make for the latency model: per replica, the
// cluster's per-GPU rates times its GPUs per replica, a batch of the serving
// concurrency (the default without `serving:`), a full batch's decode step for
// every batch (lone_tpot_s 0).
ServingProfile cluster_server(const Cluster& cluster, int replicas);

// The request mix of the real-time workloads `routed` (with their shares of the
// workload's requests) at one server: token sizes of the rate-weighted mixture,
// minute dispersion of the sum (variances add).
RequestMix routed_mix(const std::vector<Workload>& workloads,
                      const std::vector<int>& routed, const std::vector<double>& share);

// The highest rate (requests per hour) at which the fast model (serving_latency)
// puts the p95 TTFT and TPOT within the slo, to 2^-kSloBisections of the capacity
// (bisection on the load: 13 calls, against a LatencyCurve's 64); 0 if none.
inline constexpr int kSloBisections = 12;
double slo_ceiling(const ServingProfile& server, const RequestMix& mix,
                   const Slo& slo);

struct ClusterSlo {
  std::vector<int> realtime;  // k (into the routed workloads) of the real-time ones
  std::vector<int> slots;     // k of the ones with an slo
  // ceilings[j][replicas]: requests per hour, for replicas 0 (none: 0) to the most
  // the cluster runs (all of max_gpus and its spot GPUs).
  std::vector<std::vector<double>> ceilings;
  // all_met[replicas]: the highest rate at which every slo here holds (the least
  // of the ceilings, made nondecreasing), for an autoscaler that scales to them.
  std::vector<double> all_met;
};

// Built once per run, before the paths (an slo_ceiling per replica count of each
// cluster a strategy sends an slo to and workload with an slo there: ~2 ms each
// for Poisson arrivals, ~25 ms for bursty ones), and read by every worker's
// costers.
class SloCeilings {
 public:
  explicit SloCeilings(const Scenario& scenario);
  // Whether strategy s sends a workload with an slo to cluster c (nullptr: none).
  const ClusterSlo* of(int strategy, int cluster) const;

 private:
  int clusters_ = 0;
  std::vector<ClusterSlo> plans_;  // [strategy][cluster], empty slots: no slo
};

}  // namespace breakeven
