#include "breakeven/monte_carlo.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "breakeven/errors.hpp"
#include "breakeven/rng.hpp"
#include "breakeven/statistics.hpp"
#include "breakeven/strategy.hpp"
#include "breakeven/traffic.hpp"

namespace breakeven {
namespace {

struct SharedState {
  std::atomic<int> next_path{0};
  std::atomic<int> paths_done{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::condition_variable finished;
  int workers_left = 0;
  double traffic_seconds = 0.0;  // guarded by mutex
  double costing_seconds = 0.0;
  std::exception_ptr error;
};

// What one run needs that does not change between blocks.
struct RunContext {
  const Scenario& scenario;
  const TrafficModel& traffic;
  Mode mode;
  std::uint64_t seed;
  int threads;
  const RunOptions& options;
};

void work(const RunContext& run, int first_path, SimulationResult& block,
          SharedState& state) {
  using Clock = std::chrono::steady_clock;
  Clock::duration traffic_time{}, costing_time{};
  try {
    TrafficPath path;
    std::vector<StrategyCoster> costers;
    for (int s = 0; s < int(run.scenario.strategies.size()); ++s)
      costers.emplace_back(run.scenario, s);
    for (int p = state.next_path++; p < block.paths && !state.stop;
         p = state.next_path++) {
      const auto t0 = Clock::now();
      if (run.mode == Mode::Expected) {
        run.traffic.expected(path);
      } else {
        Xoshiro256pp gen = path_stream(run.seed, std::uint64_t(first_path + p));
        run.traffic.sample(gen, path);
      }
      const auto t1 = Clock::now();
      for (int s = 0; s < int(costers.size()); ++s)
        costers[s].cost(path, block.record(s, p));
      traffic_time += t1 - t0;
      costing_time += Clock::now() - t1;
      ++state.paths_done;
    }
  } catch (...) {
    std::lock_guard lock(state.mutex);
    if (!state.error) state.error = std::current_exception();
    state.stop = true;
  }
  std::lock_guard lock(state.mutex);
  state.traffic_seconds += std::chrono::duration<double>(traffic_time).count();
  state.costing_seconds += std::chrono::duration<double>(costing_time).count();
  if (--state.workers_left == 0) state.finished.notify_all();
}

// Runs paths first_path .. first_path + block.paths - 1 into `block` on worker
// threads, polling the caller's callbacks from this thread.
void run_block(const RunContext& run, int first_path, int max_paths,
               SimulationResult& block) {
  const int threads = std::min(run.threads, block.paths);
  SharedState state;
  state.workers_left = threads;
  std::vector<std::thread> workers;
  for (int i = 0; i < threads; ++i)
    workers.emplace_back(work, std::cref(run), first_path, std::ref(block),
                         std::ref(state));

  bool cancelled = false;
  std::exception_ptr callback_error;
  {
    std::unique_lock lock(state.mutex);
    while (state.workers_left > 0) {
      state.finished.wait_for(lock, std::chrono::milliseconds(100));
      if (state.workers_left == 0) break;
      lock.unlock();
      try {
        if (run.options.progress)
          run.options.progress(first_path + state.paths_done, max_paths);
        if (run.options.interrupted && run.options.interrupted()) cancelled = true;
      } catch (...) {
        callback_error = std::current_exception();
      }
      lock.lock();
      if (cancelled || callback_error) state.stop = true;
    }
  }
  for (auto& w : workers) w.join();
  block.traffic_seconds += state.traffic_seconds;
  block.costing_seconds += state.costing_seconds;
  if (callback_error) std::rethrow_exception(callback_error);
  if (state.error) std::rethrow_exception(state.error);
  if (cancelled) throw RunCancelled();
}

// The stopping rule of a run to precision, updated block by block: per strategy,
// the total cost of each path so far and how many paths broke even.
class PrecisionTracker {
 public:
  explicit PrecisionTracker(int strategies)
      : totals_(strategies), within_(strategies, 0) {}

  void add(const SimulationResult& block) {
    const int H = block.months;
    std::vector<double> base(H), mine(H);
    for (int s = 0; s < block.strategies(); ++s)
      for (int p = 0; p < block.paths; ++p) {
        double total = 0.0;
        for (int m = 0; m < H; ++m) {
          base[m] = block.cost_at(block.baseline, p, m);
          mine[m] = block.cost_at(s, p, m);
          total += mine[m];
        }
        totals_[s].push_back(total);
        within_[s] += break_even_month(base, mine) > 0;
      }
  }

  bool met(double target, int baseline) const {
    for (int s = 0; s < int(totals_.size()); ++s) {
      const Band b = band_of(totals_[s]);
      if (b.mean > 0 && b.se / b.mean >= target) return false;
      if (s == baseline) continue;
      const double n = double(totals_[s].size());
      const double q = within_[s] / n;
      if (std::sqrt(q * (1 - q) / n) >= target) return false;
    }
    return true;
  }

 private:
  std::vector<std::vector<double>> totals_;
  std::vector<int> within_;
};

}  // namespace

SimulationResult simulate(const Scenario& scenario, const RunOptions& options) {
  const Mode mode = options.mode.value_or(scenario.simulation.mode);
  const std::uint64_t seed = options.seed.value_or(scenario.simulation.seed);
  const bool to_precision = options.precision.has_value() && mode == Mode::Stochastic;
  int paths = options.paths.value_or(to_precision ? kDefaultMaxPaths
                                                  : scenario.simulation.paths);
  if (mode == Mode::Expected) paths = 1;  // no randomness: more paths would repeat it
  if (paths < 1) throw ScenarioError("paths", "must be >= 1");
  if (options.precision && !(*options.precision > 0 && *options.precision < 1))
    throw ScenarioError("precision", "must be between 0 and 1 (exclusive)");
  if (options.block_paths < 1) throw ScenarioError("block_paths", "must be >= 1");

  const TrafficModel traffic(scenario);
  const int threads = options.threads > 0
                          ? options.threads
                          : int(std::max(1u, std::thread::hardware_concurrency()));
  const RunContext run{scenario, traffic, mode, seed, threads, options};

  if (!to_precision) {
    SimulationResult result;
    result.allocate(scenario, mode, paths, seed);
    run_block(run, 0, paths, result);
    if (options.progress) options.progress(paths, paths);
    return result;
  }
  std::vector<SimulationResult> blocks;
  PrecisionTracker tracker(int(scenario.strategies.size()));
  int done = 0;
  bool met = false;
  while (!met && done < paths) {
    SimulationResult& block = blocks.emplace_back();
    block.allocate(scenario, mode, std::min(options.block_paths, paths - done), seed);
    run_block(run, done, paths, block);
    done += block.paths;
    tracker.add(block);
    met = tracker.met(*options.precision, scenario.baseline);
  }
  SimulationResult result = SimulationResult::concatenate(blocks);
  result.precision_target = options.precision;
  result.precision_met = met;
  if (options.progress) options.progress(result.paths, result.paths);
  return result;
}

}  // namespace breakeven
