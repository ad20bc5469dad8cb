// Costing one strategy on a finished traffic path. The coster never touches the
// generator, so all strategies see the same traffic (common random numbers).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "breakeven/cluster.hpp"
#include "breakeven/path_totals.hpp"
#include "breakeven/result.hpp"
#include "breakeven/scenario.hpp"
#include "breakeven/slo.hpp"
#include "breakeven/traffic.hpp"

namespace breakeven {

class StrategyCoster {
 public:
  // `slo`: the run's rate ceilings (built once, outliving the coster).
  StrategyCoster(const Scenario& scenario, int strategy, const SloCeilings& slo);

  // Fills `out` (zeroed by the caller) with this strategy's months on `path`;
  // `totals` holds (and gets) the path's monthly totals.
  void cost(const TrafficPath& path, PathTotals& totals, PathRecord out);

 private:
  void cost_api_routes(const TrafficPath& path, PathTotals& totals,
                       PathRecord& out) const;
  // A rate-limited API model this strategy sends to, directly or as a cluster's
  // overflow (model v2 "API rate limits"): at most 60 R requests an hour.
  struct LimitedModel {
    int model = 0;
    double per_hour = 0.0;
    int fallback = -1;                 // -1: the excess is counted rate-limited
    std::vector<int> direct;           // workloads routed here: real-time first
    std::vector<double> share;         // parallel to direct: of the workload's hours
    std::vector<bool> counted;         // parallel to direct: not a cascade's escalation
    std::vector<ApiPricer> price;      // parallel to direct
    std::vector<ApiPricer> fallback_price;
    std::vector<double> remaining;     // per hour, what directly routed work left
    // Minutes within the hour (a workload's minute_dispersion, or a token limit):
    // the real-time workloads share what the hour's minutes let through.
    bool by_minute = false;
    std::optional<double> tokens_per_minute;
    int realtime = 0;                   // the first `realtime` of direct
    std::vector<double> realtime_share;  // per hour, of the real-time requests sent

    // Takes up to n requests from hour t's budget; returns how many it took.
    double take(int t, double n) {
      const double sent = std::min(n, remaining[t]);
      remaining[t] -= sent;
      return sent;
    }
  };
  void cost_limited(LimitedModel& limited, const TrafficPath& path, PathRecord& out);
  // The minutes of each hour: what the real-time workloads get through together,
  // and the budget left for batch work and overflow.
  void split_minutes(LimitedModel& limited, const TrafficPath& path) const;

  // A cluster this strategy uses, and the overflow prices of each routed workload.
  struct ClusterPlan {
    int cluster;  // index into Scenario::clusters
    ClusterRun run;
    std::vector<double> share;  // parallel to run.routed(): of the workload's hours
    // Per routed workload with a share below 1: its demand of a month, scaled.
    std::vector<std::vector<double>> scaled;
    std::vector<ApiPricer> overflow;  // parallel to run.routed(); empty: no overflow
    int overflow_model = -1;
    LimitedModel* overflow_limit = nullptr;    // when the overflow model is limited
    std::vector<ApiPricer> overflow_fallback;  // parallel to run.routed()
    const ClusterSlo* slo = nullptr;  // when a routed workload has an slo
  };
  void cost_cluster(ClusterPlan& plan, const TrafficPath& path, PathRecord& out);
  // Marks the hours t .. t + hours - 1 that plan's cluster, just served, missed a
  // routed workload's slo in (breach_).
  void check_slo(const ClusterPlan& plan, int t, int hours);
  // Adds breach_'s hours to out's months.
  void count_breaches(PathRecord& out) const;
  // Routed workload k's share of a month's demand (a split sends part of it).
  static HourlySlices scaled_demand(ClusterPlan& plan, std::size_t k,
                                    const HourlySlices& demand, int hours);
  // Turned-away work of routed workload k in hour t: to overflow (within its rate
  // limit, the rest to the fallback), or unserved.
  void overflow(ClusterPlan& plan, int k, const Slice& away, int t,
                const TrafficPath& path, PathRecord& out);
  // A provisioned deployment this strategy uses: its routed workloads share its
  // tokens per minute; the excess goes to its overflow model.
  struct ProvisionedPlan {
    int index;  // into Scenario::provisioned
    std::vector<int> routed;
    std::vector<double> share;        // parallel to routed
    std::vector<ApiPricer> overflow;  // parallel to routed; empty: no overflow
  };
  void cost_provisioned(const ProvisionedPlan& plan, const TrafficPath& path,
                        PathRecord& out);

  ApiPricer pricer(int workload, const ApiModel& model) const;
  // `counted`: the requests count where they were served (false for a cascade's
  // escalations, counted where they were first served).
  void add_api(int workload, const ApiCharge& charge, double requests, int month,
               bool as_overflow, PathRecord& out, bool counted = true) const;
  static void count(PathRecord& out, int month, Served where, double requests) {
    out.requests[std::size_t(month) * kServedCount + where] += requests;
  }

  // A share of a workload sent to an API model without a rate limit.
  struct DirectLeg {
    int workload;
    int model;
    double share;
    bool counted;  // not a cascade's escalation
    ApiPricer price;
  };

  const Scenario* scenario_;
  const Strategy* strategy_;
  std::vector<DirectLeg> direct_;  // in workload order, each route's legs in order
  std::vector<LimitedModel> limited_;  // each rate-limited model this strategy uses
  std::vector<ClusterPlan> clusters_;  // this strategy's own copies
  std::vector<ProvisionedPlan> provisioned_;
  // Scratch of cost_cluster: per routed workload, its demand over the month and
  // the month's requests served and share of the GPU cost; per hour of the month.
  std::vector<HourlySlices> demand_, away_;
  std::vector<double> month_served_, month_cost_;
  std::vector<double> gpu_cost_, served_seconds_, cost_per_second_;
  // Scratch of cost_provisioned: per routed workload, a month's tokens within the
  // units (their share of the month's fee).
  std::vector<double> covered_tokens_;
  // The workloads with an slo this strategy sends to a cluster, and each
  // workload's row among them (-1: none); only these are checked and counted.
  std::vector<int> slo_checked_, slo_row_;
  // Per row and hour of the path, 1 where its slo was missed at a cluster (a
  // split's legs at two clusters: either).
  std::vector<std::uint8_t> breach_;
  std::size_t path_hours_ = 0;
  std::vector<double> slo_rate_;  // scratch of check_slo: per hour of the month
};

}  // namespace breakeven
