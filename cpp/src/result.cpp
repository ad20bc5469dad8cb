#include "breakeven/result.hpp"

#include <cstdio>
#include <new>
#include <string>

#include "breakeven/errors.hpp"

namespace breakeven {
namespace {

std::string detail_format_gib(double gib) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", gib);
  return buf;
}

}  // namespace

void SimulationResult::allocate(const Scenario& sc, Mode run_mode, int n_paths,
                                std::uint64_t run_seed) {
  scenario = sc.name;
  mode = run_mode;
  paths = n_paths;
  seed = run_seed;
  months = sc.horizon_months;
  baseline = sc.baseline;
  strategy_names.clear();
  for (const auto& s : sc.strategies) strategy_names.push_back(s.name);
  workload_names.clear();
  for (const auto& w : sc.workloads) workload_names.push_back(w.name);

  const std::size_t blocks = std::size_t(strategies()) * paths * months;
  try {
    cost.assign(blocks, 0.0);
    parts.assign(blocks * kPartCount, 0.0);
    workload_cost.assign(blocks * workloads(), 0.0);
    requests.assign(blocks * kServedCount, 0.0);
    gpu_hours.assign(blocks, 0.0);
    gpu_seconds_served.assign(blocks, 0.0);
  } catch (const std::bad_alloc&) {
    const double gib =
        double(blocks) * (3 + kPartCount + workloads() + kServedCount) * 8 / (1 << 30);
    throw ScenarioError("simulation.paths",
                        "the results of " + std::to_string(paths) + " paths need " +
                            detail_format_gib(gib) +
                            " GiB of memory, more than is free; use fewer paths "
                            "or a precision target");
  }
}

SimulationResult SimulationResult::concatenate(
    const std::vector<SimulationResult>& blocks) {
  SimulationResult out = blocks.front();
  out.paths = 0;
  out.traffic_seconds = out.costing_seconds = 0.0;
  for (const auto& b : blocks) {
    out.paths += b.paths;
    out.traffic_seconds += b.traffic_seconds;
    out.costing_seconds += b.costing_seconds;
  }
  // Strategy-major arrays: strategy s's slab of every block, in block order.
  const auto join = [&](std::vector<double> SimulationResult::*member,
                        std::size_t width) {
    std::vector<double>& into = out.*member;
    into.clear();
    into.reserve(std::size_t(out.strategies()) * out.paths * out.months * width);
    for (int s = 0; s < out.strategies(); ++s)
      for (const auto& b : blocks) {
        const std::size_t slab = std::size_t(b.paths) * b.months * width;
        into.insert(into.end(), (b.*member).begin() + s * slab,
                    (b.*member).begin() + (s + 1) * slab);
      }
  };
  join(&SimulationResult::cost, 1);
  join(&SimulationResult::parts, kPartCount);
  join(&SimulationResult::workload_cost, out.workloads());
  join(&SimulationResult::requests, kServedCount);
  join(&SimulationResult::gpu_hours, 1);
  join(&SimulationResult::gpu_seconds_served, 1);
  return out;
}

PathRecord SimulationResult::record(int s, int p) {
  const std::size_t base = (std::size_t(s) * paths + p) * months;
  return {cost.data() + base,
          parts.data() + base * kPartCount,
          workload_cost.data() + base * workloads(),
          requests.data() + base * kServedCount,
          gpu_hours.data() + base,
          gpu_seconds_served.data() + base};
}

}  // namespace breakeven
