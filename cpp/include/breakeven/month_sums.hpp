// Monthly totals of hourly values: each month's hours added one by one in hour
// order, the one definition of a month's sum. The order fixes the bits; the
// speed comes from adding several months side by side, so that no addition
// waits for the one before it (a chain of 730 dependent additions is mostly
// waiting).
#pragma once

#include "breakeven/calendar.hpp"

namespace breakeven {

namespace detail {

template <int G>
void sum_month_group(const double* hourly, double* out) {
  double s[G];
  for (int j = 0; j < G; ++j) s[j] = 0.0;
  for (int i = 0; i < kHoursPerMonth; ++i)
    for (int j = 0; j < G; ++j) s[j] += hourly[j * kHoursPerMonth + i];
  for (int j = 0; j < G; ++j) out[j] = s[j];
}

}  // namespace detail

// out[m] = sum of hourly[730 m .. min(730 m + 729, hours - 1)] for each month
// that `hours` begins.
inline void sum_months(const double* hourly, int hours, double* out) {
  const int full = hours / kHoursPerMonth;
  int m = 0;
  for (; m + 8 <= full; m += 8)
    detail::sum_month_group<8>(hourly + m * kHoursPerMonth, out + m);
  for (; m + 2 <= full; m += 2)
    detail::sum_month_group<2>(hourly + m * kHoursPerMonth, out + m);
  for (; m < full; ++m) detail::sum_month_group<1>(hourly + m * kHoursPerMonth, out + m);
  if (full * kHoursPerMonth < hours) {
    double s = 0.0;
    for (int t = full * kHoursPerMonth; t < hours; ++t) s += hourly[t];
    out[full] = s;
  }
}

}  // namespace breakeven
