#include <gtest/gtest.h>

#include <cmath>

#include "breakeven/errors.hpp"
#include "breakeven/monte_carlo.hpp"
#include "breakeven/statistics.hpp"
#include "breakeven/traffic.hpp"
#include "fixtures.hpp"

namespace breakeven {
namespace {

using testing::one_workload_scenario;
using testing::parse;

// Two workloads (one batch), an autoscaled cluster with overflow, fixed costs,
// spikiness and bursts: every code path of a run.
Json rich_scenario() {
  return Json::parse(R"({
    "name": "rich", "horizon_months": 6, "simulation": {"paths": 40, "seed": 11},
    "models": {"big": {"input": 5, "output": 30, "cached_input": 0.5, "batch_discount": 0.5},
               "small": {"input": 1, "output": 5, "cached_input": 0.1,
                         "cache_write_multiplier": 1.25, "batch_discount": 0.5}},
    "workloads": [
      {"name": "chat", "requests": {"per_hour": 400}, "input_tokens": {"mean": 3000, "cv": 0.4},
       "prefix_tokens": 2000, "output_tokens": {"p50": 200, "p95": 600},
       "hourly_weights": "consumer", "spikiness": {"weekly_p95_over_p5": 4, "autocorrelation": 0.5},
       "bursts": {"per_month": 3, "hours": 4, "multiplier": 3}, "growth_per_month": 0.05},
      {"name": "docs", "requests": {"per_day": 20000}, "input_tokens": 2500, "output_tokens": 300,
       "latency": {"batch": {"deadline_hours": 12}}, "spikiness": {"sigma": 0.3}}],
    "correlation": 0.5,
    "clusters": {"gpu": {"gpu_price_per_hour": 3, "gpus": {"min": 1, "max": 6, "lag_hours": 3},
                         "prefill_tokens_per_s": 5000, "decode_tokens_per_s": 800,
                         "utilization": 0.7, "overflow": "small",
                         "fixed": {"setup": 10000, "ops_per_month": 1000,
                                   "revalidation": {"every_months": 2, "cost": 500}}}},
    "strategies": [
      {"name": "frontier", "route": {"default": "big"}},
      {"name": "routed", "route": {"default": "small"}, "caching": true, "batch_api": true},
      {"name": "hosted", "route": {"default": "gpu"}, "caching": true, "batch_api": true}]
  })");
}

TEST(Simulation, ExpectedModeClosedForm) {
  // 10 requests/hour x (1000 x 1 + 100 x 10) / 1e6 = 0.02 per hour, 14.6 per month.
  RunOptions o;
  o.mode = Mode::Expected;
  const SimulationResult r = simulate(parse(one_workload_scenario()), o);
  ASSERT_EQ(r.paths, 1);
  for (int m = 0; m < 3; ++m) EXPECT_NEAR(r.cost_at(0, 0, m), 14.6, 1e-9);
  const Summary s = summarize(r);
  EXPECT_EQ(s.strategies[0].monthly[0].se, 0.0);
  EXPECT_NEAR(s.strategies[0].total.mean, 43.8, 1e-9);
  EXPECT_NEAR(s.strategies[0].requests[kByApi * 1], 7300, 1e-9);
}

TEST(Simulation, RequestsAreConserved) {
  // Every request of the demand is served by the API or the cluster, sent to
  // overflow, or counted unserved or rate-limited. API routes place each month's
  // demand in that month; a cluster's batch backlog carries work across month
  // ends, so there placements trail the demand by at most what is queued, and
  // what is still queued at the horizon (12-hour deadlines here) is all that
  // is never placed.
  const Scenario sc = parse(rich_scenario());
  const SimulationResult r = simulate(sc);
  for (int s = 0; s < r.strategies(); ++s)
    for (int p = 0; p < r.paths; ++p) {
      double demand_so_far = 0, placed_so_far = 0;
      for (int m = 0; m < r.months; ++m) {
        const double demand = r.demand[std::size_t(p) * r.months + m];
        double placed = 0;
        for (int k = 0; k < kServedCount; ++k)
          placed += r.requests[r.offset(s, p, m, kServedCount) + k];
        ASSERT_GT(demand, 0);
        demand_so_far += demand;
        placed_so_far += placed;
        if (sc.strategies[s].routes[1].kind == Route::Kind::Api)
          EXPECT_NEAR(placed, demand, 1e-9 * demand) << "strategy " << s;
        else
          EXPECT_LE(placed_so_far, demand_so_far * (1 + 1e-12)) << "month " << m;
      }
      const double last = r.demand[std::size_t(p) * r.months + r.months - 1];
      EXPECT_LE(demand_so_far - placed_so_far, 0.05 * last) << "strategy " << s;
    }
  // The hosted strategy pays GPUs, fixed costs and overflow.
  const Summary sum = summarize(r);
  const auto& hosted = sum.strategies[2];
  EXPECT_GT(hosted.parts[kGpu], 0);
  EXPECT_NEAR(hosted.parts[kFixed], 11000, 1e-9);  // month 0: setup + ops
  EXPECT_NEAR(hosted.parts[2 * kPartCount + kFixed], 1500,
              1e-9);  // month 2: revalidation
  for (double u : hosted.utilization) {
    EXPECT_GT(u, 0);
    EXPECT_LE(u, 0.7 + 1e-12);
  }
}

TEST(Simulation, ExpectedModeHasZeroSpread) {
  RunOptions o;
  o.mode = Mode::Expected;
  const Summary s = summarize(simulate(parse(rich_scenario()), o));
  for (const auto& st : s.strategies)
    for (const Band& b : st.monthly) {
      EXPECT_EQ(b.se, 0.0);
      EXPECT_EQ(b.p5, b.p95);
    }
}

TEST(Simulation, StochasticMeanMatchesExpectedForApiWithoutCaching) {
  // Without caching the API cost is linear in N, V and O, so E[cost] is the
  // expected-mode cost: E[M] = 1, E[B] is not 1, so bursts are left out here.
  Json j = rich_scenario();
  for (auto& w : j["workloads"]) w.erase("bursts");
  j["strategies"] = Json::parse(R"([{"name": "api", "route": {"default": "big"}}])");
  j["simulation"]["paths"] = 2000;
  const Scenario sc = parse(j);
  RunOptions expected;
  expected.mode = Mode::Expected;
  const Summary e = summarize(simulate(sc, expected));
  const Summary st = summarize(simulate(sc));
  EXPECT_NEAR(st.strategies[0].total.mean, e.strategies[0].total.mean,
              4 * st.strategies[0].total.se);
  EXPECT_GT(st.strategies[0].total.se, 0);
}

TEST(Simulation, BitIdenticalForThreadCountsAndRuns) {
  const Scenario sc = parse(rich_scenario());
  RunOptions one, two, three;
  one.threads = 1;
  two.threads = 2;
  three.threads = 3;
  const SimulationResult a = simulate(sc, one), b = simulate(sc, two),
                         c = simulate(sc, three);
  const SimulationResult again = simulate(sc, two);
  EXPECT_EQ(a.cost, b.cost);
  EXPECT_EQ(a.cost, c.cost);
  EXPECT_EQ(a.parts, c.parts);
  EXPECT_EQ(a.requests, b.requests);
  EXPECT_EQ(b.cost, again.cost);
  RunOptions other_seed;
  other_seed.seed = 12;
  EXPECT_NE(simulate(sc, other_seed).cost, a.cost);
}

TEST(Simulation, PathsArePrefixesOfLargerRuns) {
  const Scenario sc = parse(rich_scenario());
  RunOptions few, many;
  few.paths = 5;
  many.paths = 9;
  const SimulationResult a = simulate(sc, few), b = simulate(sc, many);
  for (int p = 0; p < 5; ++p)
    for (int m = 0; m < a.months; ++m)
      EXPECT_EQ(a.cost_at(1, p, m), b.cost_at(1, p, m));
}

TEST(Simulation, BreakEvenOfClusterAgainstApi) {
  // Expected mode, one real-time workload, 1 GPU that serves all of it:
  // API costs 14.6/month; the cluster costs 730 * 0.01 = 7.3/month plus setup 20.
  // Cumulative saving after m months: 7.3 m - 20 >= 0 first at m = 3.
  Json j = one_workload_scenario();
  j["horizon_months"] = 6;
  j["clusters"] = Json::parse(R"({"c": {"gpu_price_per_hour": 0.01, "gpus": 1,
      "prefill_tokens_per_s": 10000, "decode_tokens_per_s": 1000, "fixed": {"setup": 20}}})");
  j["strategies"].push_back(
      Json::parse(R"({"name": "hosted", "route": {"default": "c"}})"));
  RunOptions o;
  o.mode = Mode::Expected;
  const SimulationResult r = simulate(parse(j), o);
  EXPECT_NEAR(r.cost_at(1, 0, 0), 27.3, 1e-9);
  EXPECT_NEAR(r.cost_at(1, 0, 1), 7.3, 1e-9);
  const Summary s = summarize(r);
  ASSERT_TRUE(s.strategies[1].break_even.has_value());
  EXPECT_EQ(s.strategies[1].break_even->p50_month, 3);
  EXPECT_EQ(s.strategies[1].break_even->p_within_horizon, 1.0);
  EXPECT_NEAR(s.strategies[1].break_even->savings_at_horizon.mean, 6 * 7.3 - 20, 1e-9);
  EXPECT_FALSE(s.strategies[0].break_even.has_value());
}

TEST(Simulation, UnservedWithoutOverflowModel) {
  // No overflow model: what the cluster turns away is unserved.
  Json j = one_workload_scenario();
  j["horizon_months"] = 1;
  // 10 req/h x 100 output tokens at 0.5 tokens/s = 2000 s of demand; capacity
  // 1 x 3600 x 0.5 = 1800 s -> 10 % turned away, 90 % served.
  j["clusters"] = Json::parse(R"({"c": {"gpu_price_per_hour": 1, "gpus": 1,
      "prefill_tokens_per_s": 1e12, "decode_tokens_per_s": 0.5, "utilization": 0.5}})");
  j["strategies"] = Json::parse(R"([{"name": "hosted", "route": {"default": "c"}}])");
  RunOptions o;
  o.mode = Mode::Expected;
  const Summary s = summarize(simulate(parse(j), o));
  EXPECT_NEAR(s.strategies[0].requests[kUnserved], 730, 1e-6);
  EXPECT_NEAR(s.strategies[0].requests[kByCluster], 6570, 1e-6);
  EXPECT_NEAR(s.strategies[0].utilization[0], 0.5, 1e-12);
  EXPECT_NEAR(s.strategies[0].gpu_hours[0], 730, 1e-12);
}

}  // namespace
}  // namespace breakeven

namespace breakeven {
namespace {

TEST(Precision, MeetsTheTargetAndIsAPrefixOfAPlainRun) {
  const Scenario sc = testing::parse(rich_scenario());
  RunOptions precise;
  precise.precision = 0.01;
  precise.block_paths = 16;
  const SimulationResult r = simulate(sc, precise);
  ASSERT_TRUE(r.precision_met);
  EXPECT_GT(r.paths, 16);  // the first block alone is not enough here
  const Summary s = summarize(r);
  for (const auto& st : s.strategies) {
    EXPECT_LT(st.total.se / st.total.mean, 0.01);
    if (st.break_even) {
      const double p = st.break_even->p_within_horizon;
      EXPECT_LT(std::sqrt(p * (1 - p) / r.paths), 0.01);
    }
  }
  RunOptions plain;
  plain.paths = r.paths;
  const SimulationResult same = simulate(sc, plain);
  EXPECT_EQ(r.cost, same.cost);
  EXPECT_EQ(r.parts, same.parts);
  EXPECT_EQ(r.demand, same.demand);
}

TEST(Precision, RunningMomentsMatchTheTwoPassFormulas) {
  const std::vector<double> x = {3.5, 1e6, -2, 7, 7, 0.25, 1e-3};
  RunningMoments m;
  for (double v : x) m.add(v);
  const Band b = band_of(x);
  EXPECT_NEAR(m.mean(), b.mean, 1e-12 * std::abs(b.mean));
  EXPECT_NEAR(m.se(), b.se, 1e-12 * b.se);
}

TEST(Limits, MemoryBudgetIsCheckedBeforeAllocating) {
  RunOptions o;
  o.paths = 1000000;
  o.memory_budget_bytes = 1e6;
  try {
    simulate(testing::parse(rich_scenario()), o);
    FAIL() << "expected an OptionError";
  } catch (const OptionError& e) {
    EXPECT_EQ(e.option(), "paths");
    EXPECT_NE(e.reason().find("memory budget"), std::string::npos) << e.reason();
  }
  o.paths = 10;
  o.threads = limits::kMaxThreads + 1;
  EXPECT_THROW(simulate(testing::parse(rich_scenario()), o), OptionError);
}

TEST(Limits, ExtremeButValidInputsGiveFiniteResults) {
  // The largest rate, request size, price and spikiness the parser accepts.
  Json j = testing::one_workload_scenario();
  j["models"]["m"] = {{"input", 1e6}, {"output", 1e6}};
  j["workloads"][0]["requests"] = {{"per_hour", 1e12}};
  j["workloads"][0]["input_tokens"] = {{"mean", 1e8}, {"cv", 100}};
  j["workloads"][0]["output_tokens"] = 1e8;
  j["workloads"][0]["spikiness"] = {{"sigma", 5}};
  j["simulation"]["paths"] = 20;
  const SimulationResult r = simulate(testing::parse(j));
  for (double c : r.cost) EXPECT_TRUE(std::isfinite(c));
}

TEST(Precision, CapAtPathsWhenTheTargetIsOutOfReach) {
  RunOptions o;
  o.precision = 1e-6;
  o.paths = 40;
  o.block_paths = 16;
  const SimulationResult r = simulate(testing::parse(rich_scenario()), o);
  EXPECT_EQ(r.paths, 40);
  EXPECT_FALSE(r.precision_met);
}

}  // namespace
}  // namespace breakeven

namespace breakeven {
namespace {

// Model v2: prices that change over the horizon, hourly noise.
TEST(ModelV2, PriceChangesAndTrendInExpectedMode) {
  // 14.6 per month at flat prices (ExpectedModeClosedForm); halved from month 1,
  // and a -3% monthly trend on top: month m costs 14.6 * 0.5^[m>=1] * 0.97^m.
  Json j = testing::one_workload_scenario();
  j["models"]["m"]["price_changes"] = Json::parse(R"([{"month": 1, "factor": 0.5}])");
  j["models"]["m"]["price_trend"] = {{"monthly", -0.03}, {"sigma", 0.01}};
  RunOptions o;
  o.mode = Mode::Expected;
  const SimulationResult r = simulate(testing::parse(j), o);
  EXPECT_NEAR(r.cost_at(0, 0, 0), 14.6, 1e-9);
  EXPECT_NEAR(r.cost_at(0, 0, 1), 14.6 * 0.5 * 0.97, 1e-9);
  EXPECT_NEAR(r.cost_at(0, 0, 2), 14.6 * 0.5 * 0.97 * 0.97, 1e-9);
}

TEST(ModelV2, ClusterPriceChangesMoveOnlyTheGpuPart) {
  Json j = rich_scenario();
  j["clusters"]["gpu"]["price_changes"] = Json::parse(R"([{"month": 2, "factor": 0.25}])");
  const SimulationResult flat = simulate(testing::parse(rich_scenario()));
  const SimulationResult cut = simulate(testing::parse(j));
  const int hosted = 2;
  for (int p = 0; p < flat.paths; ++p)
    for (int m = 0; m < flat.months; ++m) {
      const double f = m >= 2 ? 0.25 : 1.0;
      const std::size_t i = flat.offset(hosted, p, m, kPartCount);
      EXPECT_NEAR(cut.parts[i + kGpu], f * flat.parts[i + kGpu], 1e-9 * flat.parts[i + kGpu]);
      EXPECT_EQ(cut.parts[i + kOverflow], flat.parts[i + kOverflow]);
    }
}

TEST(ModelV2, AnUnusedPriceTrendLeavesTrafficAndCostsUnchanged) {
  // Trend rates are drawn after all traffic: adding one to a model no strategy
  // uses changes no bit.
  Json j = rich_scenario();
  j["models"]["unused"] = {{"input", 1}, {"output", 1},
                           {"price_trend", {{"monthly", -0.02}, {"sigma", 0.01}}}};
  const SimulationResult a = simulate(testing::parse(rich_scenario()));
  const SimulationResult b = simulate(testing::parse(j));
  EXPECT_EQ(a.cost, b.cost);
  EXPECT_EQ(a.demand, b.demand);
}

TEST(ModelV2, HourlyNoiseHasMeanOneAndItsAutocorrelation) {
  Json j = testing::one_workload_scenario();
  j["horizon_months"] = 12;
  j["workloads"][0]["spikiness"] = {{"hourly_sigma", 0.5}, {"hourly_autocorrelation", 0.9}};
  const Scenario sc = testing::parse(j);
  const TrafficModel model(sc);
  TrafficPath path;
  Xoshiro256pp gen = path_stream(5, 0);
  model.sample(gen, path);
  const auto& s = path.hourly_factor;
  double mean = 0, lmean = 0;
  for (double x : s) mean += x, lmean += std::log(x);
  mean /= s.size();
  lmean /= s.size();
  double c0 = 0, c1 = 0;
  for (std::size_t t = 0; t + 1 < s.size(); ++t) {
    c0 += (std::log(s[t]) - lmean) * (std::log(s[t]) - lmean);
    c1 += (std::log(s[t]) - lmean) * (std::log(s[t + 1]) - lmean);
  }
  // 8,760 hours with phi 0.9: about 460 independent hours; mean of S is 1.
  EXPECT_NEAR(mean, 1.0, 0.1);
  EXPECT_NEAR(c1 / c0, 0.9, 0.02);
  EXPECT_NEAR(std::sqrt(c0 / s.size()), 0.5, 0.06);  // sd of Y is sh
}

TEST(ModelV2, ValidationNamesTheField) {
  Json j = testing::one_workload_scenario();
  j["workloads"][0]["spikiness"] = {{"hourly_sigma", 0.3}, {"hourly_autocorrelation", 1}};
  EXPECT_EQ(testing::error_of(j),
            std::make_pair(std::string("workloads[0].spikiness.hourly_autocorrelation"), std::string("must be in [0, 1) (got 1)")));
  j = testing::one_workload_scenario();
  j["models"]["m"]["price_changes"] = Json::parse(R"([{"month": 3, "factor": 0}])");
  EXPECT_EQ(testing::error_of(j).first, "models.m.price_changes[0].factor");
}

}  // namespace
}  // namespace breakeven

namespace breakeven {
namespace {

// A flat API workload of `per_hour` requests (1000 in, 100 out: 0.002 per request
// on model m), a cluster of 3 GPUs at 3.0 an hour, 3 months, expected mode.
Json gpu_scenario(double per_hour) {
  Json j = testing::one_workload_scenario();
  j["workloads"][0]["requests"] = {{"per_hour", per_hour}};
  j["clusters"] = Json::parse(R"({"gpu": {"gpu_price_per_hour": 3.0, "gpus": 3,
      "prefill_tokens_per_s": 1e6, "decode_tokens_per_s": 1e6, "overflow": "m"}})");
  j["strategies"].push_back(Json::parse(R"({"name": "hosted", "route": {"default": "gpu"}})"));
  return j;
}

SimulationResult expected_run(const Json& j) {
  RunOptions o;
  o.mode = Mode::Expected;
  return simulate(testing::parse(j), o);
}

double detail(const SimulationResult& r, int s, int m, Detail d) {
  return r.details[r.offset(s, 0, m, kDetailCount) + d];
}

TEST(ModelV2, CommittedGpusAreBilledAtTheirPriceDuringTheTerm) {
  Json j = gpu_scenario(10);
  j["clusters"]["gpu"]["commitment"] = {{"gpus", 2}, {"price_per_hour", 1.0},
                                        {"term_months", 1}};
  const SimulationResult r = expected_run(j);
  // Month 0: 1 on-demand GPU at 3 + 2 committed at 1 = 5 an hour; then 3 x 3 = 9.
  EXPECT_NEAR(r.parts[r.offset(1, 0, 0, kPartCount) + kGpu], 5.0 * 730, 1e-9);
  EXPECT_NEAR(r.parts[r.offset(1, 0, 1, kPartCount) + kGpu], 9.0 * 730, 1e-9);
  EXPECT_EQ(detail(r, 1, 0, kCommittedGpuHours), 2 * 730);
  EXPECT_EQ(r.gpu_hours[r.offset(1, 0, 0)] - detail(r, 1, 0, kCommittedGpuHours), 730);
  EXPECT_EQ(detail(r, 1, 1, kCommittedGpuHours), 0);
  EXPECT_NEAR(detail(r, 1, 0, kCommittedGpuCost), 2.0 * 730, 1e-9);

  // Renewed, and on an autoscaler whose demand needs 1 GPU: at least the 2
  // committed GPUs every hour, none on demand.
  j["clusters"]["gpu"]["gpus"] = {{"min", 0}, {"max", 4}, {"lag_hours", 2}};
  j["clusters"]["gpu"]["commitment"]["renew"] = true;
  const SimulationResult a = expected_run(j);
  for (int m = 0; m < 3; ++m) {
    EXPECT_EQ(a.gpu_hours[a.offset(1, 0, m)], 2 * 730);
    EXPECT_EQ(detail(a, 1, m, kCommittedGpuHours), 2 * 730);  // none on demand
  }
}

TEST(ModelV2, CommitmentValidation) {
  Json j = gpu_scenario(10);
  j["clusters"]["gpu"]["commitment"] = {{"gpus", 4}, {"price_per_hour", 1.0}};
  EXPECT_EQ(testing::error_of(j),
            std::make_pair(std::string("clusters.gpu.commitment.gpus"), std::string("must be <= the cluster's gpus (got 4 > 3)")));
  j["clusters"]["gpu"]["commitment"] = {{"gpus", 1}, {"price_per_hour", 1.0},
                                        {"from_month", 0}};
  j["clusters"]["gpu"]["available_from_month"] = 1;
  EXPECT_EQ(testing::error_of(j).first, "clusters.gpu.commitment.from_month");
}

TEST(ModelV2, SpotGpusAreBilledExceptDuringOutages) {
  Json j = gpu_scenario(10);
  j["horizon_months"] = 6;
  j["clusters"]["gpu"]["spot"] = {{"gpus", 2}, {"price_per_hour", 0.5},
                                  {"interruptions_per_month", 4}, {"outage_hours", 6}};
  // Expected mode: no outages; 3 on-demand + 2 spot GPUs every hour.
  const SimulationResult e = expected_run(j);
  EXPECT_NEAR(e.parts[e.offset(1, 0, 0, kPartCount) + kGpu], (9.0 + 1.0) * 730, 1e-9);
  EXPECT_EQ(detail(e, 1, 0, kSpotOutageHours), 0);

  const SimulationResult r = simulate(testing::parse(j));
  double outage = 0;
  for (int p = 0; p < r.paths; ++p)
    for (int m = 0; m < r.months; ++m) {
      const double* d = &r.details[r.offset(1, p, m, kDetailCount)];
      // Every hour the 2 spot GPUs are either there (and billed) or out.
      EXPECT_EQ(d[kSpotGpuHours] + 2 * d[kSpotOutageHours], 2 * 730);
      EXPECT_NEAR(d[kSpotGpuCost], 0.5 * d[kSpotGpuHours], 1e-9);
      outage += d[kSpotOutageHours];
    }
  // 4 interruptions a month of 6 hours, overlaps merged: about 1 - exp(-24/730)
  // of the hours, 3.2%; 50 paths x 6 months x 730 hours.
  const double share = outage / (r.paths * r.months * 730.0);
  EXPECT_NEAR(share, -std::expm1(-24.0 / 730), 0.006);
}

TEST(ModelV2, RateLimitSendsTheExcessToTheFallback) {
  // 120 requests an hour to m, limited to 1 a minute (60 an hour); the rest go
  // to f, priced at twice m (0.004 a request).
  Json j = testing::one_workload_scenario();
  j["workloads"][0]["requests"] = {{"per_hour", 120}};
  j["models"]["f"] = {{"input", 2.0}, {"output", 20.0}};
  j["models"]["m"]["rate_limit"] = {{"requests_per_minute", 1}, {"fallback", "f"}};
  SimulationResult r = expected_run(j);
  EXPECT_NEAR(r.cost_at(0, 0, 0), (60 * 0.002 + 60 * 0.004) * 730, 1e-9);
  EXPECT_NEAR(detail(r, 0, 0, kFallbackRequests), 60 * 730, 1e-9);
  EXPECT_NEAR(r.requests[r.offset(0, 0, 0, kServedCount) + kByApi], 120 * 730, 1e-9);

  // Without a fallback the excess is counted, not served.
  j["models"]["m"]["rate_limit"].erase("fallback");
  r = expected_run(j);
  EXPECT_NEAR(r.cost_at(0, 0, 0), 60 * 0.002 * 730, 1e-9);
  EXPECT_NEAR(r.requests[r.offset(0, 0, 0, kServedCount) + kRateLimited], 60 * 730,
              1e-9);
}

TEST(ModelV2, RateLimitServesRealtimeFirstThenBatchThenOverflow) {
  // Real-time 50/h and batch 50/h to m (limit 60/h): real-time all, batch 10.
  Json j = testing::one_workload_scenario();
  j["workloads"][0]["requests"] = {{"per_hour", 50}};
  Json batch = j["workloads"][0];
  batch["name"] = "b";
  batch["latency"] = {{"batch", {{"deadline_hours", 1}}}};
  j["workloads"].insert(j["workloads"].begin(), batch);  // batch first in the file
  j["models"]["m"]["rate_limit"] = {{"requests_per_minute", 1}};
  SimulationResult r = expected_run(j);
  EXPECT_NEAR(r.requests[r.offset(0, 0, 0, kServedCount) + kByApi], 60 * 730, 1e-9);
  EXPECT_NEAR(r.workload_cost[r.offset(0, 0, 0, 2) + 0], 10 * 0.002 * 730, 1e-9);
  EXPECT_NEAR(r.workload_cost[r.offset(0, 0, 0, 2) + 1], 50 * 0.002 * 730, 1e-9);

  // A cluster turning away work to m gets what the direct work left: the
  // hosted strategy sends everything to a cluster with no GPUs.
  j = gpu_scenario(100);
  j["clusters"]["gpu"]["gpus"] = 0;
  j["models"]["m"]["rate_limit"] = {{"requests_per_minute", 1}};
  r = expected_run(j);
  const double* req = &r.requests[r.offset(1, 0, 0, kServedCount)];
  EXPECT_NEAR(req[kByOverflow], 60 * 730, 1e-9);
  EXPECT_NEAR(req[kRateLimited], 40 * 730, 1e-9);
}

TEST(ModelV2, FallbackValidation) {
  Json j = testing::one_workload_scenario();
  j["models"]["m"]["rate_limit"] = {{"requests_per_minute", 1}, {"fallback", "nope"}};
  EXPECT_EQ(testing::error_of(j),
            std::make_pair(std::string("models.m.rate_limit.fallback"), std::string("unknown API model 'nope'")));
  j["models"]["f"] = {{"input", 1}, {"output", 1},
                      {"rate_limit", {{"requests_per_minute", 1}, {"fallback", "m"}}}};
  j["models"]["m"]["rate_limit"]["fallback"] = "f";
  EXPECT_EQ(testing::error_of(j),
            std::make_pair(std::string("models.m.rate_limit.fallback"), std::string("fallback cycle: m -> f -> m")));
}

}  // namespace
}  // namespace breakeven
