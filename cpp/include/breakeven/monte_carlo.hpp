// The Monte Carlo driver: runs paths on worker threads, each path from its own
// stream, and writes each path's months into its own slot of the result.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "breakeven/result.hpp"
#include "breakeven/scenario.hpp"

namespace breakeven {

struct RunOptions {
  std::optional<int> paths;          // default: the scenario's
  std::optional<std::uint64_t> seed;  // default: the scenario's
  std::optional<Mode> mode;           // default: the scenario's
  int threads = 0;                    // 0: all cores
  // Polled about every 100 ms on the calling thread; returning true stops the
  // run (RunCancelled). A callback may also throw to stop it.
  std::function<bool()> interrupted;
  // Paths done so far, called on the calling thread about every 100 ms.
  std::function<void(int done, int total)> progress;
};

// Expected mode runs a single path: it has no randomness, so more paths would
// only repeat it.
SimulationResult simulate(const Scenario& scenario, const RunOptions& options = {});

}  // namespace breakeven
