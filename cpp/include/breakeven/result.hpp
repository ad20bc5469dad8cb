// Per-path, per-month outputs of a run for every strategy. Memory is
// paths x months x strategies (never hours); statistics are computed from it.
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

// Where requests went.
enum Served : int { kByApi, kByCluster, kByOverflow, kUnserved, kServedCount };
inline constexpr const char* kServedNames[kServedCount] = {"api", "cluster", "overflow",
                                                           "unserved"};

// Writable views of one (strategy, path) block: arrays over months.
struct PathRecord {
  double* cost;                // [month]
  double* parts;               // [month][part]
  double* workload_cost;       // [month][workload]
  double* requests;            // [month][served]
  double* gpu_hours;           // [month]
  double* gpu_seconds_served;  // [month]
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
  bool precision_met = false;
  // CPU seconds summed over worker threads, for benchmarks (tests/bench/run.py).
  double traffic_seconds = 0.0;
  double costing_seconds = 0.0;

  // Row-major arrays, strategy-major: [strategy][path][month](...).
  std::vector<double> cost;
  std::vector<double> parts;
  std::vector<double> workload_cost;
  std::vector<double> requests;
  std::vector<double> gpu_hours;
  std::vector<double> gpu_seconds_served;

  int strategies() const { return int(strategy_names.size()); }
  int workloads() const { return int(workload_names.size()); }

  void allocate(const Scenario& scenario, Mode mode, int paths, std::uint64_t seed);
  // The paths of `blocks` (runs of the same scenario), one after the other.
  static SimulationResult concatenate(const std::vector<SimulationResult>& blocks);
  PathRecord record(int strategy, int path);
  // cost of (strategy, path, month).
  double cost_at(int s, int p, int m) const {
    return cost[(std::size_t(s) * paths + p) * months + m];
  }
};

}  // namespace breakeven
