// Traffic alone, without costing: what the Monte Carlo paths would see, summed into
// buckets of hours. Backtests compare held-out log data with it, fits bootstrap
// their standard errors from it, and synthetic logs are drawn from its hours.
#pragma once

#include <cstdint>
#include <vector>

#include "breakeven/scenario.hpp"

namespace breakeven {

// Arrays are [path][workload][bucket]; bucket b covers hours
// first_hour + b * bucket_hours .. + bucket_hours - 1.
struct TrafficSamples {
  int paths = 0;
  int workloads = 0;
  int buckets = 0;
  std::vector<double> requests;
  std::vector<double> input_tokens;  // V + N P
  std::vector<double> output_tokens;
};

// Path p draws from the same stream as path p of simulate(), so these are exactly
// the runs' traffic. Throws OptionError when the hours fall outside the horizon or
// the arrays would exceed the memory budget.
TrafficSamples sample_traffic(const Scenario& scenario, int paths, std::uint64_t seed,
                              Mode mode, int first_hour, int hours, int bucket_hours);

}  // namespace breakeven
