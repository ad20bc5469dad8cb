// Google Benchmark microbenchmarks of the samplers and of one path's steps.
#include <benchmark/benchmark.h>

#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <cmath>
#include <fstream>
#include <vector>

#include "breakeven/calendar.hpp"
#include "breakeven/samplers.hpp"
#include "breakeven/scenario_parse.hpp"
#include "breakeven/strategy.hpp"
#include "breakeven/traffic.hpp"

namespace {

using namespace breakeven;

// The engine's Poisson sampler: a block of hours at once, means varying by hour
// around the argument; time per draw.
void BM_PoissonFill(benchmark::State& state) {
  Xoshiro256pp gen(1);
  std::vector<double> mean(4096), root(4096), out(4096);
  for (std::size_t i = 0; i < mean.size(); ++i) {
    mean[i] = double(state.range(0)) * (1.0 + 0.5 * std::sin(0.26 * double(i)));
    root[i] = std::sqrt(mean[i]);
  }
  for (auto _ : state) {
    poisson_fill(gen, mean.data(), root.data(), out.data(), int(mean.size()));
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * std::int64_t(mean.size()));
}
BENCHMARK(BM_PoissonFill)->Arg(3)->Arg(50)->Arg(2000);

// The per-call Boost distribution the engine replaced (rate changes each hour).
void BM_BoostPoissonPerCall(benchmark::State& state) {
  Xoshiro256pp gen(1);
  const double mean = double(state.range(0)) * 1.01;
  for (auto _ : state)
    benchmark::DoNotOptimize(
        boost::random::poisson_distribution<long long, double>(mean)(gen));
}
BENCHMARK(BM_BoostPoissonPerCall)->Arg(3)->Arg(50)->Arg(2000);

// The engine's batched normals against Boost's per-call ziggurat; time per draw.
void BM_NormalFill(benchmark::State& state) {
  Xoshiro256pp gen(1);
  std::vector<double> out(4096);
  for (auto _ : state) {
    normal_fill(gen, out.data(), int(out.size()));
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * std::int64_t(out.size()));
}
BENCHMARK(BM_NormalFill);

void BM_BoostNormalPerCall(benchmark::State& state) {
  Xoshiro256pp gen(1);
  boost::random::normal_distribution<double> normal;
  for (auto _ : state) benchmark::DoNotOptimize(normal(gen));
}
BENCHMARK(BM_BoostNormalPerCall);

Scenario standard() {
  std::ifstream in(BREAKEVEN_STANDARD_JSON);
  std::ifstream cat(BREAKEVEN_CATALOG_JSON);
  return parse_scenario(Json::parse(in), Json::parse(cat));
}

// One path's traffic, reported per workload-hour.
void BM_TrafficPerWorkloadHour(benchmark::State& state) {
  const Scenario sc = standard();
  const TrafficModel model(sc);
  TrafficPath path;
  std::uint64_t p = 0;
  for (auto _ : state) {
    Xoshiro256pp gen = path_stream(1, p++);
    model.sample(gen, path);
  }
  state.SetItemsProcessed(state.iterations() * model.hours() * model.workloads());
}
BENCHMARK(BM_TrafficPerWorkloadHour)->Unit(benchmark::kMillisecond);

// One hour-step of each strategy, averaged over a path.
void BM_StrategyHourStep(benchmark::State& state) {
  const Scenario sc = standard();
  const TrafficModel model(sc);
  TrafficPath path;
  Xoshiro256pp gen = path_stream(1, 0);
  model.sample(gen, path);
  StrategyCoster coster(sc, int(state.range(0)));
  SimulationResult result;
  result.start(sc, Mode::Stochastic, 1);
  result.add_paths(1);
  PathTotals totals;
  for (auto _ : state) {
    totals.clear();
    coster.cost(path, totals, result.record(int(state.range(0)), 0));
  }
  state.SetItemsProcessed(state.iterations() * model.hours());
  state.SetLabel(sc.strategies[state.range(0)].name);
}
BENCHMARK(BM_StrategyHourStep)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
