// The Monte Carlo driver: runs paths on worker threads, each path from its own
// stream, and writes each path's months into its own slot of the result.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "breakeven/limits.hpp"
#include "breakeven/result.hpp"
#include "breakeven/scenario.hpp"

namespace breakeven {

struct RunOptions {
  std::optional<long long> paths;     // default: the scenario's
  std::optional<std::uint64_t> seed;  // default: the scenario's
  std::optional<Mode> mode;           // default: the scenario's
  std::optional<bool> antithetic;     // default: the scenario's
  int threads = 0;                    // 0: all cores
  // Time to precision: run blocks of paths until the relative standard error of
  // every strategy's total cost, and the absolute standard error of every
  // break-even probability, are below this target; `paths` is then the maximum
  // (default limits::kDefaultMaxPrecisionPaths). The first block has
  // `block_paths`; each next one is sized from (error / target)^2. Paths keep
  // their per-path seeding, so such a run is a prefix of the same run with more
  // paths.
  std::optional<double> precision;
  int block_paths = limits::kDefaultBlockPaths;
  // The most the run's arrays may take, estimated before allocating; a precision
  // run stops growing at it.
  double memory_budget_bytes = limits::kDefaultMemoryBudgetBytes;
  // Polled about every 100 ms on the calling thread; returning true stops the
  // run (RunCancelled). A callback may also throw to stop it.
  std::function<bool()> interrupted;
  // Paths done so far (and the most that may run), called on the calling thread
  // about every 100 ms.
  std::function<void(int done, int total)> progress;
};

// Bytes a run of `paths` paths on `threads` threads needs for its arrays.
double run_memory_bytes(const Scenario& scenario, long long paths, int threads);

// Expected mode runs a single path: it has no randomness, so more paths would
// only repeat it. Throws OptionError for options out of bounds.
SimulationResult simulate(const Scenario& scenario, const RunOptions& options = {});

}  // namespace breakeven
