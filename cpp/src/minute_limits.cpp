#include "breakeven/minute_limits.hpp"

#include <cmath>
#include <algorithm>
#include <limits>

namespace breakeven {

double log_gamma(double a) {
  // Lanczos approximation (g = 7, n = 9), with the reflection formula below 0.5.
  static constexpr double c[9] = {0.99999999999980993,  676.5203681218851,
                                  -1259.1392167224028,  771.32342877765313,
                                  -176.61502916214059,  12.507343278686905,
                                  -0.13857109526572012, 9.9843695780195716e-6,
                                  1.5056327351493116e-7};
  constexpr double kPi = 3.14159265358979323846;
  if (a < 0.5) return std::log(kPi / std::sin(kPi * a)) - log_gamma(1.0 - a);
  a -= 1.0;
  double sum = c[0];
  for (int i = 1; i < 9; ++i) sum += c[i] / (a + i);
  const double t = a + 7.5;
  return 0.5 * std::log(2 * kPi) + (a + 0.5) * std::log(t) - t + std::log(sum);
}

double gamma_p(double a, double x) {
  if (x <= 0) return 0.0;
  const double log_front = a * std::log(x) - x - log_gamma(a);
  constexpr double eps = 1e-15;
  if (x < a + 1.0) {
    // Series: P = e^-x x^a / Gamma(a + 1) sum x^n / ((a + 1) ... (a + n)).
    double term = 1.0 / a, sum = term;
    for (int n = 1; n < 100000; ++n) {
      term *= x / (a + n);
      sum += term;
      if (std::fabs(term) < std::fabs(sum) * eps) break;
    }
    return std::min(1.0, sum * std::exp(log_front));
  }
  // Continued fraction for Q = 1 - P (modified Lentz).
  constexpr double tiny = 1e-300;
  double b = x + 1.0 - a, cc = 1.0 / tiny, d = 1.0 / b, h = d;
  for (int i = 1; i < 100000; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    cc = b + an / cc;
    if (std::fabs(cc) < tiny) cc = tiny;
    d = 1.0 / d;
    const double delta = d * cc;
    h *= delta;
    if (std::fabs(delta - 1.0) < eps) break;
  }
  return std::max(0.0, 1.0 - std::exp(log_front) * h);
}

double expected_excess(double mean, double variance, double limit) {
  if (mean <= 0) return 0.0;
  if (variance <= 0) return std::max(0.0, mean - limit);
  if (limit <= 0) return mean;
  // Gamma with shape k = mean^2 / variance and scale theta = variance / mean:
  // E[(X - R)+] = mean (1 - P(k + 1, R/theta)) - R (1 - P(k, R/theta)).
  const double theta = variance / mean;
  const double k = mean / theta;
  const double x = limit / theta;
  return std::max(0.0, mean * (1.0 - gamma_p(k + 1.0, x)) - limit * (1.0 - gamma_p(k, x)));
}

}  // namespace breakeven
