// Long-context tiers (docs/model.md "Provisioned throughput and long-context
// tiers"): a request whose input is above a threshold pays the tier's prices for
// all of its tokens. Which requests those are follows from the workload's
// per-request input, P + V with V lognormal of mean mu_V and the input's sd (the
// engine keeps only a size's mean and sd; synthetic logs draw V the same way).
#pragma once

#include "breakeven/scenario.hpp"

namespace breakeven {

struct LongContextShares {
  double requests = 0.0;      // P(P + V > threshold)
  double input_tokens = 0.0;  // E[(P + V) 1{P + V > threshold}] / E[P + V]
};

LongContextShares long_context_shares(const Workload& workload, double threshold);

// USD per 1M tokens of a (model, workload) pair: the long-context tier blended in
// at its shares (input and cached input by input tokens, output by requests:
// output sizes are independent of input sizes), times a service tier's
// multiplier.
struct TokenPrices {
  double input, output, cached_input;
};
TokenPrices token_prices(const ApiModel& model, const Workload& workload,
                         double tier_multiplier);

}  // namespace breakeven
