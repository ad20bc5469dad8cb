// Rate limits per minute inside an hour (docs/model.md "API rate limits"): an
// hour's requests do not come evenly; a workload's requests per minute have mean
// n/60 and variance phi n/60 (phi: its minute_dispersion, 1 for Poisson arrivals),
// taken as a gamma distribution, and each minute turns away what exceeds the
// limit.
#pragma once

namespace breakeven {

// ln Gamma(a) for a > 0 (Lanczos, g = 7, 9 terms: about 1e-15 relative).
double log_gamma(double a);
// The regularized lower incomplete gamma P(a, x), a > 0, x >= 0 (series below
// a + 1, continued fraction above).
double gamma_p(double a, double x);

// E[(X - limit)+] for X gamma-distributed with this mean and variance (X = mean
// when the variance is 0).
double expected_excess(double mean, double variance, double limit);

// Requests an hour's minutes let through: n - 60 E[(X - R)+] for the minute count
// X with mean n/60 and variance `minute_variance_per_request` x n/60 summed over
// the workloads sharing the limit (pass their sum as `minute_variance`).
inline double passed_in_hour(double requests, double minute_variance,
                             double per_minute_limit) {
  return requests - 60.0 * expected_excess(requests / 60.0, minute_variance,
                                           per_minute_limit);
}

}  // namespace breakeven
