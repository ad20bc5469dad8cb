// Replay one hour request by request: a discrete-event simulation of the server
// that latency.hpp models (docs/model.md "Serving latency"), the fast model's
// check and usable on its own with a real trace.
#pragma once

#include <cstdint>
#include <vector>

#include "breakeven/latency.hpp"

namespace breakeven {

// One request: when it arrives (seconds from any origin, non-decreasing) and its
// sizes in tokens (output at least 1: the prefill gives the first token).
struct ReplayRequest {
  double arrival_s = 0.0;
  double input_tokens = 0.0;
  double output_tokens = 1.0;
};

// Per request, in input order, seconds: time to first token, and time per output
// token after the first (NaN for a request of one output token).
struct ReplayTimes {
  std::vector<double> ttft;
  std::vector<double> tpot;
};

// An hour of requests drawn for `mix` (docs/model.md): minute rates gamma with the
// mix's dispersion, Poisson arrivals within each minute, lognormal sizes rounded
// to whole tokens. Deterministic given the seed. Throws OptionError when the hour
// would hold more than limits::kMaxReplayRequests requests.
std::vector<ReplayRequest> draw_hour(const RequestMix& mix, std::uint64_t seed);

// Every request served to its last token, from an empty server; the seed draws
// the balancer's choices. Throws OptionError on more than
// limits::kMaxReplayRequests requests or a malformed request.
ReplayTimes replay_requests(const ServingProfile& server,
                            const std::vector<ReplayRequest>& requests,
                            std::uint64_t seed);

}  // namespace breakeven
