// Google Benchmark microbenchmarks of the samplers and of one path's steps.
#include <benchmark/benchmark.h>

#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <cmath>
#include <fstream>
#include <vector>

#include "breakeven/calendar.hpp"
#include "breakeven/latency.hpp"
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

// Serving latency (docs/model.md "Serving latency"): the fast model per call, the
// table a run would build per (server, workload mix, replica count), and the
// per-hour read of it, against the strategy hour-step above (issue 24: SLO
// evaluation adds at most 30% to a run). A chat server, minute dispersion 1
// (Poisson) or 3 (the argument).
ServingProfile chat_server() {
  ServingProfile s;
  s.prefill_tokens_per_s = 8000;
  s.decode_tokens_per_s = 900;
  s.max_batch = 64;
  s.lone_tpot_s = 0.0186;
  return s;
}

RequestMix chat_mix(double dispersion) {
  RequestMix m;
  m.input_mean = 1000, m.input_sd = 500, m.output_mean = 300, m.output_sd = 150;
  m.minute_dispersion = dispersion;
  m.requests_per_hour = 0.7 * serving_capacity_per_hour(chat_server(), m);
  return m;
}

void BM_ServingLatencyCall(benchmark::State& state) {
  const ServingProfile s = chat_server();
  RequestMix m = chat_mix(double(state.range(0)));
  for (auto _ : state) {
    m.requests_per_hour *= 1.0000001;  // a new hour's rate each call
    benchmark::DoNotOptimize(serving_latency(s, m));
  }
}
BENCHMARK(BM_ServingLatencyCall)->Arg(1)->Arg(3)->Unit(benchmark::kMicrosecond);

void BM_LatencyCurveBuild(benchmark::State& state) {
  const ServingProfile s = chat_server();
  const RequestMix m = chat_mix(double(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(LatencyCurve(s, m));
}
BENCHMARK(BM_LatencyCurveBuild)->Arg(1)->Arg(3)->Unit(benchmark::kMillisecond);

// Reads at a path's hours' rates; time per hour.
void BM_LatencyCurveHour(benchmark::State& state) {
  const LatencyCurve curve(chat_server(), chat_mix(3.0));
  std::vector<double> rates(kHoursPerMonth);
  for (std::size_t i = 0; i < rates.size(); ++i)
    rates[i] = curve.capacity_per_hour() * (0.5 + 0.4 * std::sin(0.26 * double(i)));
  for (auto _ : state)
    for (double r : rates) benchmark::DoNotOptimize(curve.at(r));
  state.SetItemsProcessed(state.iterations() * std::int64_t(rates.size()));
}
BENCHMARK(BM_LatencyCurveHour);

}  // namespace

BENCHMARK_MAIN();
