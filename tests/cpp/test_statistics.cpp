#include <gtest/gtest.h>

#include <vector>

#include "breakeven/statistics.hpp"

namespace breakeven {
namespace {

TEST(Quantile, LinearInterpolationLikeNumpy) {
  const std::vector<double> v = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.05), 1.15);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.95), 3.85);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.0), 1);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 1.0), 4);
}

TEST(Band, MeanStandardErrorAndPercentiles) {
  const Band b = band_of({4, 1, 3, 2});
  EXPECT_DOUBLE_EQ(b.mean, 2.5);
  // sample sd = sqrt(5/3); se = sd / 2
  EXPECT_NEAR(b.se, std::sqrt(5.0 / 3.0) / 2.0, 1e-15);
  EXPECT_DOUBLE_EQ(b.p50, 2.5);
  const Band one = band_of({7});
  EXPECT_EQ(one.se, 0.0);
  EXPECT_EQ(one.p5, 7.0);
}

TEST(BreakEven, FirstMonthWithNonNegativeCumulativeSaving) {
  const std::vector<double> base = {10, 10, 10};
  // D(1) = -5, D(2) = 0 -> month 2 (D >= 0 counts).
  EXPECT_EQ(break_even_month(base, std::vector<double>{15, 5, 5}), 2);
  EXPECT_EQ(break_even_month(base, std::vector<double>{9, 11, 11}), 1);
  EXPECT_EQ(break_even_month(base, std::vector<double>{30, 5, 5}), 0);  // D(3) = -5
  EXPECT_EQ(break_even_month(base, base), 1);
}

TEST(BreakEven, MonthQuantilesTreatNeverAsBeyondHorizon) {
  EXPECT_EQ(break_even_quantile({1, 2, 0, 0}, 0.5), 2);
  EXPECT_EQ(break_even_quantile({1, 2, 0, 0}, 0.9), std::nullopt);
  EXPECT_EQ(break_even_quantile({3, 1, 2, 5, 4, 6, 7, 8, 9, 10}, 0.9), 9);
  EXPECT_EQ(break_even_quantile({3}, 0.5), 3);
}

}  // namespace
}  // namespace breakeven
