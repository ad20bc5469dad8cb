#include "breakeven/long_context.hpp"

#include <cmath>

namespace breakeven {

LongContextShares long_context_shares(const Workload& workload, double threshold) {
  const double prefix = workload.prefix_tokens;
  const double mean = workload.variable_input_mean();
  const double sd = workload.input.sd;
  const double above = threshold - prefix;  // V above this puts a request above
  if (above < 0) return {1.0, 1.0};
  if (mean <= 0 || sd <= 0) {  // every request the same size
    const bool over = prefix + std::max(mean, 0.0) > threshold;
    return {over ? 1.0 : 0.0, over ? 1.0 : 0.0};
  }
  // V lognormal: s^2 = ln(1 + cv^2), m = ln(mean) - s^2 / 2; P(V > a) and
  // E[V 1{V > a}] = mean P(Z > (ln a - m - s^2) / s).
  const double s2 = std::log1p((sd / mean) * (sd / mean));
  const double s = std::sqrt(s2);
  const double m = std::log(mean) - 0.5 * s2;
  auto upper = [](double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); };
  const double requests = above > 0 ? upper((std::log(above) - m) / s) : 1.0;
  const double variable = above > 0 ? mean * upper((std::log(above) - m - s2) / s) : mean;
  return {requests, (prefix * requests + variable) / (prefix + mean)};
}

TokenPrices token_prices(const ApiModel& model, const Workload& workload,
                         double tier_multiplier) {
  TokenPrices p{model.input, model.output, model.cached_input.value_or(0.0)};
  if (model.long_context) {
    const LongContext& lc = *model.long_context;
    const LongContextShares share = long_context_shares(workload, lc.above_input_tokens);
    p.input += share.input_tokens * (lc.input - model.input);
    p.output += share.requests * (lc.output - model.output);
    if (lc.cached_input) p.cached_input += share.input_tokens * (*lc.cached_input - p.cached_input);
  }
  return {p.input * tier_multiplier, p.output * tier_multiplier,
          p.cached_input * tier_multiplier};
}

}  // namespace breakeven
