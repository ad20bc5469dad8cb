// The Monte Carlo driver: runs paths on worker threads, each path from its own
// stream, and writes each path's months into its own slot of the result.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "breakeven/result.hpp"
#include "breakeven/scenario.hpp"

namespace breakeven {

inline constexpr int kDefaultMaxPaths = 100000;

struct RunOptions {
  std::optional<int> paths;           // default: the scenario's
  std::optional<std::uint64_t> seed;  // default: the scenario's
  std::optional<Mode> mode;           // default: the scenario's
  int threads = 0;                    // 0: all cores
  // Time to precision: run blocks of `block_paths` until the relative standard
  // error of every strategy's total cost, and the absolute standard error of every
  // break-even probability, are below this target; `paths` is then the maximum
  // (default kDefaultMaxPaths). Blocks keep the per-path seeding, so such a run is
  // a prefix of the same run with more paths.
  std::optional<double> precision;
  int block_paths = 1000;
  // Polled about every 100 ms on the calling thread; returning true stops the
  // run (RunCancelled). A callback may also throw to stop it.
  std::function<bool()> interrupted;
  // Paths done so far (and the most that may run), called on the calling thread
  // about every 100 ms.
  std::function<void(int done, int total)> progress;
};

// Expected mode runs a single path: it has no randomness, so more paths would
// only repeat it.
SimulationResult simulate(const Scenario& scenario, const RunOptions& options = {});

}  // namespace breakeven
