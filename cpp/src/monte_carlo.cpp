#include "breakeven/monte_carlo.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "breakeven/errors.hpp"
#include "breakeven/rng.hpp"
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
  std::exception_ptr error;
};

void work(const Scenario& scenario, const TrafficModel& traffic, Mode mode,
          std::uint64_t seed, SimulationResult& result, SharedState& state) {
  try {
    TrafficPath path;
    std::vector<StrategyCoster> costers;
    for (int s = 0; s < int(scenario.strategies.size()); ++s) costers.emplace_back(scenario, s);
    for (int p = state.next_path++; p < result.paths && !state.stop; p = state.next_path++) {
      if (mode == Mode::Expected) {
        traffic.expected(path);
      } else {
        Xoshiro256pp gen = path_stream(seed, std::uint64_t(p));
        traffic.sample(gen, path);
      }
      for (int s = 0; s < int(costers.size()); ++s) costers[s].cost(path, result.record(s, p));
      ++state.paths_done;
    }
  } catch (...) {
    std::lock_guard lock(state.mutex);
    if (!state.error) state.error = std::current_exception();
    state.stop = true;
  }
  std::lock_guard lock(state.mutex);
  if (--state.workers_left == 0) state.finished.notify_all();
}

}  // namespace

SimulationResult simulate(const Scenario& scenario, const RunOptions& options) {
  const Mode mode = options.mode.value_or(scenario.simulation.mode);
  const int paths = mode == Mode::Expected ? 1 : options.paths.value_or(scenario.simulation.paths);
  const std::uint64_t seed = options.seed.value_or(scenario.simulation.seed);
  if (paths < 1) throw ScenarioError("paths", "must be >= 1");

  SimulationResult result;
  result.allocate(scenario, mode, paths, seed);
  const TrafficModel traffic(scenario);

  int threads = options.threads > 0 ? options.threads
                                    : int(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min(threads, paths);

  SharedState state;
  state.workers_left = threads;
  std::vector<std::thread> workers;
  for (int i = 0; i < threads; ++i)
    workers.emplace_back(work, std::cref(scenario), std::cref(traffic), mode, seed,
                         std::ref(result), std::ref(state));

  bool cancelled = false;
  std::exception_ptr callback_error;
  {
    std::unique_lock lock(state.mutex);
    while (state.workers_left > 0) {
      state.finished.wait_for(lock, std::chrono::milliseconds(100));
      if (state.workers_left == 0) break;
      lock.unlock();
      try {
        if (options.progress) options.progress(state.paths_done, paths);
        if (options.interrupted && options.interrupted()) cancelled = true;
      } catch (...) {
        callback_error = std::current_exception();
      }
      lock.lock();
      if (cancelled || callback_error) state.stop = true;
    }
  }
  for (auto& w : workers) w.join();
  if (callback_error) std::rethrow_exception(callback_error);
  if (state.error) std::rethrow_exception(state.error);
  if (cancelled) throw RunCancelled();
  if (options.progress) options.progress(paths, paths);
  return result;
}

}  // namespace breakeven
