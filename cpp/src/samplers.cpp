#include "breakeven/samplers.hpp"

#include <array>

namespace breakeven {
namespace {

// Hourly request counts are mostly below this: a table lookup, not a logarithm.
constexpr int kTable = 4096;

std::array<double, kTable> make_table() {
  std::array<double, kTable> t{};
  for (int k = 1; k < kTable; ++k) t[k] = t[k - 1] + std::log(double(k));
  return t;
}

const std::array<double, kTable> kLogFactorial = make_table();

}  // namespace

double log_factorial(double k) {
  if (k < kTable) return kLogFactorial[int(k)];
  // Stirling's series; for k >= 4096 the truncation error is far below 1e-16.
  const double x = k + 1.0;
  const double ix = 1.0 / x, ix2 = ix * ix;
  return (x - 0.5) * std::log(x) - x + 0.91893853320467274178 +
         ix * (1.0 / 12.0 - ix2 * (1.0 / 360.0 - ix2 / 1260.0));
}

}  // namespace breakeven
