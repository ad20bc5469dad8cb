#include "breakeven/traffic_samples.hpp"

#include <algorithm>
#include <string>

#include "breakeven/calendar.hpp"
#include "breakeven/errors.hpp"
#include "breakeven/limits.hpp"
#include "breakeven/rng.hpp"
#include "breakeven/traffic.hpp"

namespace breakeven {

TrafficSamples sample_traffic(const Scenario& scenario, int paths, std::uint64_t seed,
                              Mode mode, int first_hour, int hours, int bucket_hours) {
  const int T = scenario.horizon_months * kHoursPerMonth;
  if (paths < 1 || paths > limits::kMaxPaths)
    throw OptionError("paths", "must be between 1 and " +
                                   std::to_string(limits::kMaxPaths));
  if (first_hour < 0 || hours < 1 || first_hour + (long long)hours > T)
    throw OptionError("hours", "hours " + std::to_string(first_hour) + ".." +
                                   std::to_string((long long)first_hour + hours - 1) +
                                   " fall outside the horizon (0.." +
                                   std::to_string(T - 1) + ")");
  if (bucket_hours < 1 || hours % bucket_hours != 0)
    throw OptionError("bucket_hours", "must be >= 1 and divide hours (" +
                                          std::to_string(hours) + ")");
  const int W = int(scenario.workloads.size());
  const int B = hours / bucket_hours;
  const double bytes = 3.0 * sizeof(double) * paths * double(W) * B;
  if (bytes > limits::kDefaultMemoryBudgetBytes)
    throw OptionError("paths", "the traffic arrays would take " +
                                   std::to_string(bytes / double(1ull << 30)) +
                                   " GiB, more than the memory budget");

  TrafficSamples out;
  out.paths = paths;
  out.workloads = W;
  out.buckets = B;
  const std::size_t n = std::size_t(paths) * W * B;
  out.requests.assign(n, 0.0);
  out.input_tokens.assign(n, 0.0);
  out.output_tokens.assign(n, 0.0);

  const TrafficModel traffic(scenario);
  TrafficPath path;
  for (int p = 0; p < paths; ++p) {
    if (mode == Mode::Expected) {
      traffic.expected(path);
    } else {
      traffic.sample_path(seed, p, scenario.simulation.antithetic, path);
    }
    for (int w = 0; w < W; ++w) {
      const double prefix = scenario.workloads[w].prefix_tokens;
      const std::size_t row = (std::size_t(p) * W + w) * B;
      for (int h = 0; h < hours; ++h) {
        const std::size_t i = path.index(w, first_hour + h);
        const std::size_t b = row + h / bucket_hours;
        out.requests[b] += path.requests[i];
        out.input_tokens[b] += path.variable_input[i] + path.requests[i] * prefix;
        out.output_tokens[b] += path.output[i];
      }
    }
  }
  return out;
}

}  // namespace breakeven
