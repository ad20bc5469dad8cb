#include <gtest/gtest.h>

#include <cmath>

#include "breakeven/errors.hpp"
#include "breakeven/quality.hpp"
#include "fixtures.hpp"

namespace breakeven {
namespace {

using testing::one_workload_scenario;
using testing::parse;

using testing::error_of;

TEST(ScenarioParse, FillsDefaultsAndConvertsUnits) {
  Json j = one_workload_scenario();
  j["workloads"][0]["requests"] = {{"per_day", 2400}};
  const Scenario sc = parse(j);
  EXPECT_DOUBLE_EQ(sc.workloads[0].requests_per_hour, 100);
  EXPECT_EQ(sc.simulation.paths, 50);
  EXPECT_EQ(sc.workloads[0].prefix_variants, 1);
  EXPECT_EQ(sc.models[0].cache_min_tokens, 1024);
  EXPECT_EQ(sc.baseline, 0);
  j["workloads"][0]["requests"] = {{"per_month", 7300}};
  EXPECT_DOUBLE_EQ(parse(j).workloads[0].requests_per_hour, 10);
}

// P(Q >= floor) = 1 - Phi((floor - mean) / sd): with mean 0.825 and sd 0.04, a floor
// of 0.8 is cleared with probability Phi(0.625) = 0.73401 (normal table), enough
// for probability 0.7 and not for 0.9; a plain floor compares the mean.
TEST(ScenarioParse, MinQualityWithAProbabilityUsesTheScoresSpread) {
  const QualityScore q{0.825, 0.04, 0.75, 0.9, 0.95};
  EXPECT_NEAR(probability_at_least(q, 0.8), 0.73401, 1e-5);
  EXPECT_EQ(probability_at_least(QualityScore{0.8, 0.0, 0.8, 0.8, 0.0}, 0.8), 1.0);
  EXPECT_EQ(probability_at_least(QualityScore{0.79, 0.0, 0.79, 0.79, 0.0}, 0.8), 0.0);
  Json j = one_workload_scenario();
  j["quality"] = {{"m", {{"w", {{"mean", 0.825}, {"sd", 0.04}, {"low", 0.75},
                                {"high", 0.9}, {"level", 0.95}, {"items", 40}}}}}};
  j["workloads"][0]["min_quality"] = {{"floor", 0.8}, {"probability", 0.7}};
  EXPECT_TRUE(parse(j).route_allowed(0, "m"));
  j["workloads"][0]["min_quality"]["probability"] = 0.9;
  const auto [path, reason] = error_of(j);
  EXPECT_EQ(path, "strategies[0].route.default");
  EXPECT_EQ(reason, "workload 'w' needs P(quality >= 0.8) >= 0.9 and 'm' scores 0.825 "
                    "(sd 0.04: P = 0.734)");
  j["workloads"][0]["min_quality"] = 0.8;
  EXPECT_TRUE(parse(j).route_allowed(0, "m"));
}

TEST(ScenarioParse, LognormalTokensFromPercentiles) {
  Json j = one_workload_scenario();
  j["workloads"][0]["input_tokens"] = {{"p50", 1000}, {"p95", 3000}};
  const TokenSize t = parse(j).workloads[0].input;
  const double sigma = std::log(3.0) / 1.6448536;
  EXPECT_NEAR(t.mean, 1000 * std::exp(sigma * sigma / 2), 1e-9);
  EXPECT_NEAR(t.sd, t.mean * std::sqrt(std::exp(sigma * sigma) - 1), 1e-9);
}

TEST(ScenarioParse, CatalogModelsAreMergedFieldByField) {
  Json catalog = {
      {"models", {{"m", {{"input", 2.0}, {"output", 8.0}, {"cached_input", 0.2}}}}}};
  Json j = one_workload_scenario();
  j["models"] = {{"m", {{"input", 1.5}}}};
  const Scenario sc = parse_scenario(j, catalog);
  ASSERT_EQ(sc.models.size(), 1u);
  EXPECT_EQ(sc.models[0].input, 1.5);
  EXPECT_EQ(sc.models[0].output, 8.0);
  EXPECT_EQ(*sc.models[0].cached_input, 0.2);
}

TEST(ScenarioParse, ErrorsNameTheFieldPath) {
  Json j = one_workload_scenario();
  j["workloads"][0]["input_tokens"] = {{"p50", 1200}, {"p95", 800}};
  EXPECT_EQ(error_of(j),
            std::make_pair(std::string("workloads[0].input_tokens.p95"),
                           std::string("must be >= p50 (got 800 < 1200)")));

  j = one_workload_scenario();
  j["workloads"][0]["outptu_tokens"] = 5;
  EXPECT_EQ(error_of(j).first, "workloads[0].outptu_tokens");

  j = one_workload_scenario();
  j["strategies"][0]["route"]["default"] = "nope";
  EXPECT_EQ(error_of(j),
            std::make_pair(std::string("strategies[0].route.default"),
                           std::string("unknown model or cluster 'nope'")));

  j = one_workload_scenario();
  j["workloads"][0]["prefix_tokens"] = 1500;
  EXPECT_EQ(error_of(j).first, "workloads[0].prefix_tokens");

  j = one_workload_scenario();
  j["models"]["m"]["input"] = -1;
  EXPECT_EQ(error_of(j), std::make_pair(std::string("models.m.input"),
                                        std::string("must be between 0 and 1000000 (got -1)")));

  j = one_workload_scenario();
  j["horizon_months"] = 0;
  EXPECT_EQ(error_of(j).first, "horizon_months");

  j = one_workload_scenario();
  j["baseline"] = "other";
  EXPECT_EQ(error_of(j).first, "baseline");

  j = one_workload_scenario();
  j.erase("workloads");
  EXPECT_EQ(error_of(j),
            std::make_pair(std::string("workloads"), std::string("is required")));
}

TEST(ScenarioParse, CorrelationMustBePositiveSemidefinite) {
  Json j = one_workload_scenario();
  for (const char* name : {"b", "c"}) {
    Json w = j["workloads"][0];
    w["name"] = name;
    j["workloads"].push_back(w);
  }
  j["correlation"] = {{1, 0.9, -0.9}, {0.9, 1, 0.9}, {-0.9, 0.9, 1}};
  auto [path, reason] = error_of(j);
  EXPECT_EQ(path, "correlation");
  EXPECT_NE(reason.find("not positive semidefinite"), std::string::npos);
  j["correlation"] = -0.6;  // below -1/(n-1) = -0.5
  EXPECT_EQ(error_of(j).first, "correlation");
  j["correlation"] = -0.5;
  EXPECT_EQ(error_of(j).first, "");
}

TEST(ScenarioParse, ValuesBeyondWhatTheEngineRepresentsNameTheirField) {
  // Each of these once passed validation and crashed or overflowed a run.
  Json j = one_workload_scenario();
  j["workloads"][0]["requests"] = {{"per_hour", 1e19}};
  auto [path, reason] = error_of(j);
  EXPECT_EQ(path, "workloads[0].requests.per_hour");
  EXPECT_EQ(reason, "must be between 0 and 1e+12 (got 1e+19)");

  j = one_workload_scenario();
  j["horizon_months"] = 24;
  j["workloads"][0]["requests"] = {{"per_hour", 1e6}};
  j["workloads"][0]["growth_per_month"] = 5.0;
  std::tie(path, reason) = error_of(j);
  EXPECT_EQ(path, "workloads[0].growth_per_month");
  EXPECT_NE(reason.find("requests per hour"), std::string::npos) << reason;

  j = one_workload_scenario();
  j["workloads"][0]["input_tokens"] = {{"mean", 1e308}, {"cv", 0.1}};
  EXPECT_EQ(error_of(j).first, "workloads[0].input_tokens.mean");

  j = one_workload_scenario();
  j["workloads"][0]["output_tokens"] = {{"p50", 10}, {"p95", 1e8}};
  EXPECT_EQ(error_of(j).first, "workloads[0].output_tokens.p95");

  j = one_workload_scenario();
  j["workloads"][0]["name"] = "two\nlines";
  std::tie(path, reason) = error_of(j);
  EXPECT_EQ(path, "workloads[0].name");
  EXPECT_NE(reason.find("control characters"), std::string::npos);

  j = one_workload_scenario();
  j["simulation"]["seed"] = 18446744073709551615ull;  // 2^64 - 1: the largest seed
  EXPECT_EQ(error_of(j).first, "");
  j["simulation"]["seed"] = -1;
  EXPECT_EQ(error_of(j).first, "simulation.seed");
  j["simulation"]["seed"] = 1e30;
  EXPECT_EQ(error_of(j).first, "simulation.seed");
}

TEST(ScenarioParse, ListLengthsAreBounded) {
  Json j = one_workload_scenario();
  Json w = j["workloads"][0];
  j["workloads"] = Json::array();
  for (int i = 0; i <= limits::kMaxWorkloads; ++i) {
    w["name"] = "w" + std::to_string(i);
    j["workloads"].push_back(w);
  }
  auto [path, reason] = error_of(j);
  EXPECT_EQ(path, "workloads");
  EXPECT_NE(reason.find("at most 500"), std::string::npos);
}

}  // namespace
}  // namespace breakeven
