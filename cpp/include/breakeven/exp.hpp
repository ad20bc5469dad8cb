// 1 - exp(-x) for x >= 0, written out so that a loop over it vectorizes (libm's
// expm1 is a call per value) and so that it gives the same bits on every
// platform. Within 2 ulp of the exact value (tests/cpp/test_pricing.cpp).
#pragma once

#include <bit>
#include <cstdint>

namespace breakeven {

// From here on 1 - exp(-x) is 1 in doubles (exp(-40) < 2^-57), and
// one_minus_exp_neg returns exactly 1.
inline constexpr double kOneMinusExpNegIsOneFrom = 40.0;

inline double one_minus_exp_neg(double x) {
  // exp(-x) = 2^k e^r with k = round(-x / ln 2) and |r| <= ln(2) / 2; ln 2 split
  // in two (Cody and Waite) so that k ln2_hi is exact.
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 32 significant bits
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kRound = 0x1.8p52;  // adding it rounds to an integer
  const double shifted = -x * kLog2e + kRound;
  const double k = shifted - kRound;
  const double r = (-x - k * kLn2Hi) - k * kLn2Lo;
  // e^r - 1 by its Taylor series to r^13 (the next term is below 5e-18 r).
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  const double em1 = r + r * r * p;
  // 2^k from k's bits, which sit in the low bits of `shifted`.
  const std::uint64_t k_bits = std::bit_cast<std::uint64_t>(shifted);
  const double scale = std::bit_cast<double>((k_bits + 1023) << 52);
  // 1 - exp(-x) = (1 - 2^k) - 2^k (e^r - 1).
  const double result = (1.0 - scale) - scale * em1;
  return x >= kOneMinusExpNegIsOneFrom ? 1.0 : result;
}

}  // namespace breakeven
