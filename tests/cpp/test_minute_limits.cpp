#include <gtest/gtest.h>

#include <cmath>

#include "breakeven/minute_limits.hpp"

namespace breakeven {
namespace {

TEST(LogGamma, FactorialsAndHalf) {
  EXPECT_NEAR(log_gamma(1.0), 0.0, 1e-14);
  EXPECT_NEAR(log_gamma(5.0), std::log(24.0), 1e-13);
  EXPECT_NEAR(log_gamma(0.5), 0.5 * std::log(M_PI), 1e-14);
  EXPECT_NEAR(log_gamma(1e-3), std::lgamma(1e-3), 1e-12);
  EXPECT_NEAR(log_gamma(171.5), std::lgamma(171.5), 1e-10);
}

TEST(GammaP, ClosedForms) {
  for (double x : {0.01, 0.5, 1.0, 3.0, 10.0, 40.0}) {
    EXPECT_NEAR(gamma_p(1.0, x), -std::expm1(-x), 1e-14) << x;  // exponential
    EXPECT_NEAR(gamma_p(0.5, x), std::erf(std::sqrt(x)), 1e-14) << x;
  }
  EXPECT_EQ(gamma_p(2.0, 0.0), 0.0);
}

TEST(ExpectedExcess, ExponentialAndEven) {
  // Shape 1 (variance = mean^2): E[(X - R)+] = mean exp(-R / mean).
  for (double r : {0.0, 5.0, 20.0})
    EXPECT_NEAR(expected_excess(10, 100, r), 10 * std::exp(-r / 10), 1e-12) << r;
  // No variance: the excess of the mean.
  EXPECT_EQ(expected_excess(10, 0, 8), 2.0);
  EXPECT_EQ(expected_excess(10, 0, 12), 0.0);
  // An hour of 600 requests, Poisson-like minutes (variance = mean = 10) under a
  // limit of 10 a minute: some minutes are over even at the mean.
  const double passed = passed_in_hour(600, 10, 10);
  EXPECT_LT(passed, 600);
  EXPECT_GT(passed, 500);
}

}  // namespace
}  // namespace breakeven
