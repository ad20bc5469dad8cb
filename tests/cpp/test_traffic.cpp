#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "breakeven/month_sums.hpp"
#include "breakeven/traffic.hpp"
#include "fixtures.hpp"

namespace breakeven {
namespace {

using testing::one_workload_scenario;
using testing::parse;

TEST(MonthSums, SameBitsAsAddingEachMonthsHoursInOrder) {
  // Values of very different sizes, so that any other order of the additions
  // would round differently; 1 to 19 months exercise every group size, and a
  // horizon that ends inside a month its short last month.
  std::vector<double> hourly(19 * kHoursPerMonth);
  for (std::size_t i = 0; i < hourly.size(); ++i)
    hourly[i] = std::ldexp(1.0 + 0.37 * double(i % 11), int(i * 7919 % 61) - 30);
  for (int hours = kHoursPerMonth; hours <= 19 * kHoursPerMonth;
       hours += hours % kHoursPerMonth ? kHoursPerMonth - 100 : 100) {
    const int months = (hours + kHoursPerMonth - 1) / kHoursPerMonth;
    std::vector<double> got(months);
    sum_months(hourly.data(), hours, got.data());
    for (int m = 0; m < months; ++m) {
      double in_order = 0.0;
      for (int t = m * kHoursPerMonth; t < std::min(hours, (m + 1) * kHoursPerMonth); ++t)
        in_order += hourly[t];
      EXPECT_EQ(got[m], in_order) << hours << " hours, month " << m;
    }
  }
}

TEST(TrafficModel, BaseRateUsesNormalisedWeightsAndContinuousGrowth) {
  Json j = one_workload_scenario();
  std::vector<double> hourly(24, 1.0);
  hourly[0] = 25.0;  // mean of the list is 2: hour 0 gets 12.5, others 0.5
  j["workloads"][0]["hourly_weights"] = hourly;
  j["workloads"][0]["weekday_weights"] = {2, 1, 1, 1, 1, 1, 0};  // mean 1: Monday x2
  j["workloads"][0]["growth_per_month"] = 0.1;
  const TrafficModel model(parse(j));
  EXPECT_DOUBLE_EQ(model.base_rate(0, 0), 10 * 12.5 * 2);
  const auto growth = [](double t) { return std::pow(1.1, t / 730); };
  EXPECT_NEAR(model.base_rate(0, 1), 10 * 0.5 * 2 * growth(1), 1e-12);
  EXPECT_NEAR(model.base_rate(0, 24 + 1), 10 * 0.5 * 1 * growth(25), 1e-12);
  EXPECT_DOUBLE_EQ(model.base_rate(0, 6 * 24 + 1), 0.0);  // Sunday weight 0
  // (1 + g)^(t / 730): hour 778 is a Friday, 10:00 -> weights 0.5 * 1.
  EXPECT_NEAR(model.base_rate(0, 778), 10 * 0.5 * 1 * growth(778), 1e-12);
}

TEST(TrafficModel, ExpectedModeIsTheRateWithMeanTokens) {
  Json j = one_workload_scenario();
  j["workloads"][0]["input_tokens"] = {{"mean", 1000}, {"cv", 0.5}};
  j["workloads"][0]["prefix_tokens"] = 300;
  j["workloads"][0]["spikiness"] = {{"sigma", 0.8}};
  j["workloads"][0]["bursts"] = {{"per_month", 100}, {"hours", 5}, {"multiplier", 4}};
  const TrafficModel model(parse(j));
  TrafficPath path;
  model.expected(path);
  for (int t : {0, 100, 2000}) {
    EXPECT_DOUBLE_EQ(path.requests[path.index(0, t)], 10);
    EXPECT_DOUBLE_EQ(path.variable_input[path.index(0, t)], 10 * 700);
    EXPECT_DOUBLE_EQ(path.output[path.index(0, t)], 10 * 100);
  }
}

TEST(TrafficModel, WeeklyMultiplierHasMeanOneAndAr1Autocorrelation) {
  Json j = one_workload_scenario();
  j["horizon_months"] = 240;
  j["workloads"][0]["spikiness"] = {{"weekly_p95_over_p5", 10},
                                    {"autocorrelation", 0.6}};
  const Scenario sc = parse(j);
  const double s = std::log(10.0) / (2 * 1.6448536);
  EXPECT_NEAR(sc.workloads[0].spikiness.sigma, s, 1e-12);
  const TrafficModel model(sc);
  double sum = 0, n = 0, sxy = 0, sxx = 0;
  for (std::uint64_t p = 0; p < 40; ++p) {
    Xoshiro256pp gen = path_stream(1, p);
    const Eigen::MatrixXd m = model.weekly_multipliers(gen);
    for (int k = 0; k < m.cols(); ++k) {
      sum += m(0, k);
      n += 1;
      const double x = std::log(m(0, k)) + s * s / 2;
      sxx += x * x;
      if (k > 0) sxy += x * (std::log(m(0, k - 1)) + s * s / 2);
    }
  }
  // ~41,700 weekly draws with strong autocorrelation: mean within a few percent.
  EXPECT_NEAR(sum / n, 1.0, 0.03);
  EXPECT_NEAR(sxx / n, s * s, 0.03 * s * s + 0.01);
  EXPECT_NEAR(sxy / sxx, 0.6, 0.02);
}

TEST(TrafficModel, PerfectlyCorrelatedShocksMoveTogether) {
  Json j = one_workload_scenario();
  Json second = j["workloads"][0];
  second["name"] = "w2";
  j["workloads"].push_back(second);
  j["workloads"][0]["spikiness"] = {{"sigma", 0.5}};
  j["workloads"][1]["spikiness"] = {{"sigma", 0.5}};
  j["correlation"] = 1.0;  // semidefinite: handled by the pivoted factorisation
  const TrafficModel model(parse(j));
  Xoshiro256pp gen = path_stream(9, 0);
  const Eigen::MatrixXd m = model.weekly_multipliers(gen);
  for (int k = 0; k < m.cols(); ++k) EXPECT_NEAR(m(0, k), m(1, k), 1e-12);
}

TEST(TrafficModel, SameStreamSameTraffic) {
  const TrafficModel model(parse(one_workload_scenario()));
  TrafficPath a, b, c;
  Xoshiro256pp g1 = path_stream(5, 17), g2 = path_stream(5, 17),
               g3 = path_stream(5, 18);
  model.sample(g1, a);
  model.sample(g2, b);
  model.sample(g3, c);
  EXPECT_EQ(a.requests, b.requests);
  EXPECT_EQ(a.output, b.output);
  EXPECT_NE(a.requests, c.requests);
}

TEST(Rng, PathStreamsDifferBySeedAndPath) {
  Xoshiro256pp a = path_stream(0, 0), b = path_stream(0, 1), c = path_stream(1, 0);
  const auto x = a(), y = b(), z = c();
  EXPECT_NE(x, y);
  EXPECT_NE(x, z);
  EXPECT_NE(y, z);
}

TEST(TrafficModel, AntitheticPathNegatesTheWeeklyShocks) {
  // exp(X - s^2/2) exp(-X - s^2/2) = exp(-s^2) in every week, whatever X was.
  Json j = one_workload_scenario();
  j["workloads"][0]["spikiness"] = {{"sigma", 0.4}, {"autocorrelation", 0.6}};
  const TrafficModel model(parse(j));
  Xoshiro256pp a = path_stream(9, 4), b = path_stream(9, 4);
  const Eigen::MatrixXd m = model.weekly_multipliers(a, 1.0);
  const Eigen::MatrixXd n = model.weekly_multipliers(b, -1.0);
  for (int k = 0; k < m.cols(); ++k) EXPECT_NEAR(m(0, k) * n(0, k), std::exp(-0.16), 1e-12);
  EXPECT_NE(m(0, 0), n(0, 0));
}

TEST(TrafficModel, AntitheticPairsShareAStreamAndOthersDoNot) {
  Json j = one_workload_scenario();
  j["workloads"][0]["spikiness"] = {{"sigma", 0.4}};
  const TrafficModel model(parse(j));
  TrafficPath p0, p1, q1;
  model.sample_path(3, 0, true, p0);
  model.sample_path(3, 1, true, p1);
  model.sample_path(3, 1, false, q1);  // without pairs, path 1 has its own stream
  Xoshiro256pp g = path_stream(3, 1);
  TrafficPath own;
  model.sample(g, own);
  EXPECT_EQ(q1.requests, own.requests);
  EXPECT_NE(p1.requests, p0.requests);
  EXPECT_NE(p1.requests, own.requests);
}

}  // namespace
}  // namespace breakeven
