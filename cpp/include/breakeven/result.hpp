// Per-path, per-month outputs of a run for every strategy. Memory is
// paths x strategies x months (never hours); statistics are computed from it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "breakeven/scenario.hpp"

namespace breakeven {

// Parts of a month's cost (MODEL.md "API cost ..."); they add up to the total.
enum Part : int {
  kApiInput,
  kCachedInput,
  kOutput,
  kBatch,
  kOverflow,
  kGpu,
  kFixed,
  kPartCount
};
inline constexpr const char* kPartNames[kPartCount] = {
    "api_input", "cached_input", "output", "batch", "overflow", "gpu", "fixed"};

// Where requests went. Every request of the demand lands in exactly one of these.
enum Served : int {
  kByApi,
  kByCluster,
  kByOverflow,
  kUnserved,
  kRateLimited,
  kServedCount
};
inline constexpr const char* kServedNames[kServedCount] = {
    "api", "cluster", "overflow", "unserved", "rate_limited"};

// What the model v2 parts did, per month: GPU-hours and cost of committed and
// spot GPUs, spot outages, requests sent to a rate limit's fallback. On-demand
// GPU-hours and cost are the rest of gpu_hours and of the gpu part (the summary
// derives them).
enum Detail : int {
  kCommittedGpuHours,
  kSpotGpuHours,
  kCommittedGpuCost,
  kSpotGpuCost,
  kSpotOutageHours,
  kFallbackRequests,
  kDetailCount
};
inline constexpr const char* kDetailNames[kDetailCount] = {
    "committed_gpu_hours", "spot_gpu_hours",    "committed_gpu_cost",
    "spot_gpu_cost",       "spot_outage_hours", "fallback_requests"};

// Writable views of one (strategy, path) block: arrays over months.
struct PathRecord {
  double* cost;                // [month]
  double* parts;               // [month][part]
  double* workload_cost;       // [month][workload]
  double* requests;            // [month][served]
  double* gpu_hours;           // [month]
  double* gpu_seconds_served;  // [month]
  double* details;             // [month][detail]
  // Hours a workload's slo was missed at a cluster (docs/model.md "Serving
  // latency"); nullptr when no workload has an slo.
  double* slo_breach_hours;    // [month][workload]
};

struct SimulationResult {
  std::string scenario;
  Mode mode = Mode::Stochastic;
  int paths = 0;
  std::uint64_t seed = 0;
  int months = 0;
  int baseline = 0;
  std::vector<std::string> strategy_names;
  std::vector<std::string> workload_names;
  // Set when the run was asked for a precision (RunOptions::precision).
  std::optional<double> precision_target;
  std::optional<History> history;  // the scenario's, where it was fitted from logs
  // Clusters whose rates came from `serving:`, with what they came from: a run's
  // output says so wherever it prices them (an ESTIMATE above all).
  std::vector<std::pair<std::string, Serving>> serving;
  bool antithetic = false;  // paths 2k, 2k+1 are antithetic pairs
  bool precision_met = false;
  // CPU seconds summed over worker threads, for benchmarks (tests/bench/run.py).
  double traffic_seconds = 0.0;
  double costing_seconds = 0.0;

  // Row-major arrays, path-major so that a run to precision appends blocks of
  // paths without copying: [path][strategy][month](...).
  std::vector<double> cost;
  std::vector<double> parts;
  std::vector<double> workload_cost;
  std::vector<double> requests;
  std::vector<double> gpu_hours;
  std::vector<double> gpu_seconds_served;
  std::vector<double> details;
  // [path][strategy][month][workload]; empty unless some workload has an slo
  // (has_slo()), so that runs without one are as before.
  std::vector<int> slo_workloads;  // the workloads with an slo
  std::vector<double> slo_breach_hours;
  // Requests of all workloads per [path][month]: the demand every strategy serves.
  std::vector<double> demand;
  // Model v2: the price factor of every model and cluster whose price moves,
  // [path][price path][month]; names "model NAME" and "cluster NAME (GPU)".
  std::vector<std::string> price_path_names;
  std::vector<int> price_path_models;    // model indices, then...
  std::vector<int> price_path_clusters;  // ...cluster indices, in name order
  std::vector<double> price_factors;

  int strategies() const { return int(strategy_names.size()); }
  int workloads() const { return int(workload_names.size()); }
  bool has_slo() const { return !slo_workloads.empty(); }

  // Bytes one path adds to the arrays above.
  static double bytes_per_path(int strategies, int months, int workloads,
                               int price_paths, bool with_slo);

  // Names and sizes from the scenario, no paths yet.
  void start(const Scenario& scenario, Mode mode, std::uint64_t seed);
  // Room for `n` paths in all, so that growing to n does not move the arrays.
  void reserve_paths(int n);
  // Appends `n` zeroed paths.
  void add_paths(int n);

  PathRecord record(int strategy, int path);
  double* demand_of(int path) { return demand.data() + std::size_t(path) * months; }
  double* price_factors_of(int path) {
    return price_factors.data() + std::size_t(path) * price_path_names.size() * months;
  }
  // Offset of (strategy, path, month) in an array whose month has `width` values.
  std::size_t offset(int s, int p, int m, int width = 1) const {
    return ((std::size_t(p) * strategies() + s) * months + m) * width;
  }
  double cost_at(int s, int p, int m) const { return cost[offset(s, p, m)]; }
};

}  // namespace breakeven
