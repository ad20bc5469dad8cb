// Statistics over paths: bands of costs, break-even months against the
// baseline, and the summary that the result JSON v1 reports.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "breakeven/result.hpp"

namespace breakeven {

// Quantile q of values by linear interpolation between order statistics
// (numpy's default, "type 7"). `values` is sorted in place.
double quantile_sorted(std::span<const double> sorted, double q);

struct Band {
  double mean = 0.0;
  double se = 0.0;  // standard error of the mean
  double p5 = 0.0;
  double p50 = 0.0;
  double p95 = 0.0;
};
// Mean, standard error and percentiles of per-path values in path order; with
// `pairs` (antithetic variates) the standard error comes from pair means.
Band band_of(std::vector<double> values, bool pairs = false);

// Mean and standard error of a stream of values (Welford's update): what a run to
// precision needs between blocks, without keeping the values.
class RunningMoments {
 public:
  void add(double x);
  long long count() const { return n_; }
  double mean() const { return mean_; }
  double se() const;

 private:
  long long n_ = 0;
  double mean_ = 0.0;
  double m2_ = 0.0;
};

// Break-even month of one path: the smallest m in 1..H with
// D(m) = sum_{k<m} (C_B(k) - C_S(k)) >= 0; 0 when none within the horizon.
int break_even_month(std::span<const double> baseline_monthly,
                     std::span<const double> strategy_monthly);

// Break-even month of every path of strategy s against the baseline (0 = none).
std::vector<int> break_even_months(const SimulationResult& result, int s);

// Month statistic of break-even months (0 = none): the smallest month m such that
// at least a share q of paths broke even by m; nullopt if that is beyond the horizon.
std::optional<int> break_even_quantile(std::vector<int> months, double q);

struct BreakEven {
  double p_within_horizon = 0.0;
  std::optional<int> p50_month;
  std::optional<int> p90_month;
  std::vector<double> month_probability;  // P(break-even month == m+1), m = 0..H-1
  Band savings_at_horizon;                // D(H)
};

struct StrategySummary {
  std::string name;
  std::vector<Band> monthly;          // per month
  std::vector<Band> cumulative;       // per month
  std::vector<double> parts;          // mean [month][part]
  std::vector<double> workload_cost;  // mean [month][workload]
  std::vector<double> requests;       // mean [month][served]
  std::vector<double> gpu_hours;      // mean per month
  std::vector<double> details;        // mean [month][detail]
  // The rest of gpu_hours and of the gpu part: GPUs rented on demand.
  std::vector<double> on_demand_gpu_hours;
  std::vector<double> on_demand_gpu_cost;
  // Latency SLOs, for SimulationResult::slo_workloads in order (empty without):
  // mean hours in breach [slo workload][month], and P(SLO met), the share of the
  // horizon's hours not in breach (mean over paths).
  std::vector<double> slo_breach_hours;
  std::vector<double> slo_met;
  std::vector<double> utilization;    // served / provisioned GPU-seconds, per month
  // Utilization's one definition over the horizon: GPU-seconds served over
  // GPU-seconds provisioned, both summed over months (means over paths).
  double utilization_over_horizon = 0.0;
  Band total;                         // cost over the horizon
  Band savings_fraction;              // D(H) / baseline total; mean is a ratio of means
  std::optional<BreakEven> break_even;  // none for the baseline
};

struct Summary {
  std::vector<StrategySummary> strategies;
  // Model v2: bands of each moving price's factor per month, in
  // SimulationResult::price_path_names order.
  std::vector<std::vector<Band>> price_paths;
};

Summary summarize(const SimulationResult& result);

}  // namespace breakeven
