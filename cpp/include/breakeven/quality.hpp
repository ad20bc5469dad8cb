// A quality score with its uncertainty, and the chance it clears a floor.
#pragma once

#include <cmath>

namespace breakeven {

// The standard normal CDF, Phi(z).
inline double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// A score of the quality table: a plain number (sd 0), or an eval's mean with the
// standard deviation of its bootstrap distribution and a confidence interval
// [low, high] at `level` (shown in reports; the chance below uses mean and sd).
struct QualityScore {
  double mean = 0.0;
  double sd = 0.0;
  double low = 0.0;
  double high = 0.0;
  double level = 0.0;  // 0: no interval given
};

// P(Q >= floor) for Q ~ Normal(mean, sd): the bootstrap distribution of a mean
// score over many items is close to normal (central limit theorem). A score
// without spread clears the floor with probability 1 or 0.
inline double probability_at_least(const QualityScore& q, double floor) {
  if (q.sd <= 0.0) return q.mean >= floor ? 1.0 : 0.0;
  return 1.0 - normal_cdf((floor - q.mean) / q.sd);
}

}  // namespace breakeven
