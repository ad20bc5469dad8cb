// Costing one strategy on a finished traffic path. The coster never touches the
// generator, so all strategies see the same traffic (common random numbers).
#pragma once

#include <optional>
#include <vector>

#include "breakeven/cluster.hpp"
#include "breakeven/result.hpp"
#include "breakeven/scenario.hpp"
#include "breakeven/traffic.hpp"

namespace breakeven {

class StrategyCoster {
 public:
  StrategyCoster(const Scenario& scenario, int strategy);

  // Fills `out` (zeroed by the caller) with this strategy's months on `path`.
  void cost(const TrafficPath& path, PathRecord out);

 private:
  void cost_api_routes(const TrafficPath& path, PathRecord& out) const;
  // A cluster this strategy uses, and the overflow prices of each routed workload.
  struct ClusterPlan {
    int cluster;  // index into Scenario::clusters
    ClusterRun run;
    std::vector<ApiPricer> overflow;  // parallel to run.routed(); empty: no overflow
    int overflow_model = -1;
  };
  void cost_cluster(ClusterPlan& plan, const TrafficPath& path, PathRecord& out);
  ApiPricer pricer(int workload, const ApiModel& model) const;
  void add_api(int workload, const ApiCharge& charge, double requests, int month,
               bool as_overflow, PathRecord& out) const;

  const Scenario* scenario_;
  const Strategy* strategy_;
  std::vector<ClusterPlan> clusters_;  // this strategy's own copies
  std::vector<Slice> demand_;          // scratch, reused every hour
};

}  // namespace breakeven
