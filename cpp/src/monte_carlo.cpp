#include "breakeven/monte_carlo.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "breakeven/errors.hpp"
#include "breakeven/rng.hpp"
#include "breakeven/slo.hpp"
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
  std::condition_variable started;  // all threads created, or creation failed
  bool go = false;                  // guarded by mutex
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
  bool antithetic;
  std::uint64_t seed;
  int threads;
  const RunOptions& options;
  const SloCeilings& slo;
};

// The path's factors of the prices that move (model v2).
void record_price_factors(const TrafficPath& path, SimulationResult& result, int p) {
  double* out = result.price_factors_of(p);
  const int H = result.months;
  for (int m : result.price_path_models)
    out = std::copy_n(&path.model_price[std::size_t(m) * path.months], H, out);
  for (int c : result.price_path_clusters)
    out = std::copy_n(&path.cluster_price[std::size_t(c) * path.months], H, out);
}

// Paths first_path .. first_path + count - 1 of `result`, taken one at a time.
void work(const RunContext& run, int first_path, int count, SimulationResult& result,
          SharedState& state) {
  using Clock = std::chrono::steady_clock;
  Clock::duration traffic_time{}, costing_time{};
  // Work starts once every thread runs: while threads are being created nothing
  // else takes memory, so running out of it fails a thread's creation (a clean
  // error) rather than an allocation inside a started thread (an abort in glibc).
  {
    std::unique_lock lock(state.mutex);
    state.started.wait(lock, [&] { return state.go || state.stop; });
  }
  if (!state.stop) {
    try {
      TrafficPath path;
      PathTotals totals;
      std::vector<StrategyCoster> costers;
      for (int s = 0; s < int(run.scenario.strategies.size()); ++s)
        costers.emplace_back(run.scenario, s, run.slo);
      for (int i = state.next_path++; i < count && !state.stop; i = state.next_path++) {
        const int p = first_path + i;
        const auto t0 = Clock::now();
        if (run.mode == Mode::Expected) {
          run.traffic.expected(path);
        } else {
          run.traffic.sample_path(run.seed, p, run.antithetic, path);
        }
        std::copy(path.monthly_demand.begin(), path.monthly_demand.end(),
                  result.demand_of(p));
        record_price_factors(path, result, p);
        const auto t1 = Clock::now();
        totals.clear();
        for (int s = 0; s < int(costers.size()); ++s)
          costers[s].cost(path, totals, result.record(s, p));
        traffic_time += t1 - t0;
        costing_time += Clock::now() - t1;
        ++state.paths_done;
      }
    } catch (...) {
      std::lock_guard lock(state.mutex);
      if (!state.error) state.error = std::current_exception();
      state.stop = true;
    }
  }
  std::lock_guard lock(state.mutex);
  state.traffic_seconds += std::chrono::duration<double>(traffic_time).count();
  state.costing_seconds += std::chrono::duration<double>(costing_time).count();
  if (--state.workers_left == 0) state.finished.notify_all();
}

// Starts the workers; a thread that cannot start stops the ones already running
// and is an OptionError, not std::terminate.
std::vector<std::thread> start_workers(const RunContext& run, int first_path,
                                       int count, SimulationResult& result,
                                       SharedState& state) {
  const int threads = std::min(run.threads, count);
  std::vector<std::thread> workers;
  for (int i = 0; i < threads; ++i) {
    {
      std::lock_guard lock(state.mutex);
      ++state.workers_left;
    }
    try {
      workers.emplace_back(work, std::cref(run), first_path, count, std::ref(result),
                           std::ref(state));
    } catch (const std::system_error& e) {
      {
        std::lock_guard lock(state.mutex);
        state.stop = true;
        --state.workers_left;
      }
      state.started.notify_all();
      for (auto& w : workers) w.join();
      throw OptionError("threads", "could not start worker thread " +
                                       std::to_string(i + 1) + " of " +
                                       std::to_string(threads) + " (" + e.what() +
                                       "); use fewer threads");
    }
  }
  {
    std::lock_guard lock(state.mutex);
    state.go = true;
  }
  state.started.notify_all();
  return workers;
}

// Runs paths first_path .. first_path + count - 1 into `result` on worker
// threads, polling the caller's callbacks from this thread.
void run_block(const RunContext& run, int first_path, int count, int max_paths,
               SimulationResult& result) {
  SharedState state;
  std::vector<std::thread> workers =
      start_workers(run, first_path, count, result, state);

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
  result.traffic_seconds += state.traffic_seconds;
  result.costing_seconds += state.costing_seconds;
  if (callback_error) std::rethrow_exception(callback_error);
  if (state.error) std::rethrow_exception(state.error);
  if (cancelled) throw RunCancelled();
}

// The stopping rule of a run to precision, updated block by block with running
// moments (nothing per path is kept): per strategy, the total cost over the
// horizon and whether the path broke even.
class PrecisionTracker {
 public:
  PrecisionTracker(int strategies, int baseline, double target, bool pairs)
      : totals_(strategies), within_(strategies), baseline_(baseline),
        target_(target), pairs_(pairs) {}

  // With antithetic variates the observations are pair means (blocks hold
  // whole pairs), whose spread is what the mean's error comes from.
  void add(const SimulationResult& r, int first_path) {
    const int step = pairs_ ? 2 : 1;
    for (int s = 0; s < r.strategies(); ++s)
      for (int p = first_path; p < r.paths; p += step) {
        const int last = std::min(p + step, r.paths);
        double total = 0.0, within = 0.0;
        for (int q = p; q < last; ++q) {
          for (int m = 0; m < r.months; ++m) total += r.cost_at(s, q, m);
          if (s != baseline_)
            within += break_even_month(
                          {&r.cost[r.offset(baseline_, q, 0)], std::size_t(r.months)},
                          {&r.cost[r.offset(s, q, 0)], std::size_t(r.months)}) > 0;
        }
        totals_[s].add(total / (last - p));
        if (s != baseline_) within_[s].add(within / (last - p));
      }
  }

  // Paths the slowest statistic needs to meet the target, from
  // se(n) ~ 1/sqrt(n): n (se / target)^2 for a relative standard error, and
  // q (1 - q) / target^2 for a break-even probability q.
  double paths_needed() const {
    double needed = 0.0;
    for (int s = 0; s < int(totals_.size()); ++s) {
      const RunningMoments& t = totals_[s];
      const double n = double(t.count());
      if (t.mean() > 0) needed = std::max(needed, n * sq(t.se() / t.mean() / target_));
      if (s == baseline_) continue;
      const double q = within_[s].mean();
      needed = std::max(needed, pairs_ ? n * sq(within_[s].se() / target_)
                                       : q * (1 - q) / sq(target_));
    }
    return pairs_ ? 2 * needed : needed;  // paths, not pairs
  }

  // Every statistic's error is below the target with the paths done so far.
  bool met() const {
    return paths_needed() < double(totals_.front().count()) * (pairs_ ? 2 : 1);
  }

 private:
  static double sq(double x) { return x * x; }
  std::vector<RunningMoments> totals_;
  std::vector<RunningMoments> within_;  // of 0/1: the share that broke even
  int baseline_;
  double target_;
  bool pairs_;
};

std::string gib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / double(1ull << 30));
  return buf;
}

double bytes_per_path(const Scenario& sc) {
  int price_paths = 0;
  for (const ApiModel& m : sc.models) price_paths += !m.price_path.is_flat();
  for (const Cluster& c : sc.clusters) price_paths += !c.gpu_price_path.is_flat();
  return SimulationResult::bytes_per_path(int(sc.strategies.size()), sc.horizon_months,
                                          int(sc.workloads.size()), price_paths,
                                          sc.has_slo());
}

int resolve_threads(int asked) {
  if (asked < 0 || asked > limits::kMaxThreads)
    throw OptionError("threads", "must be between 1 and " +
                                     std::to_string(limits::kMaxThreads) + " (got " +
                                     std::to_string(asked) + ")");
  return asked > 0 ? asked : int(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

double run_memory_bytes(const Scenario& scenario, long long paths, int threads) {
  const double results = double(paths) * bytes_per_path(scenario);
  // Each worker holds one traffic path: three doubles per workload-hour, four
  // with hourly noise. A run of 0 paths: what the workers of a run need.
  bool hourly = false;
  for (const Workload& w : scenario.workloads) hourly |= w.spikiness.hourly_sigma > 0;
  const double traffic =
      (hourly ? 4.0 : 3.0) * 8.0 * double(scenario.workloads.size()) * scenario.hours();
  const long long workers = paths > 0 ? std::min<long long>(threads, paths) : threads;
  return results + double(workers) * traffic;
}

SimulationResult simulate(const Scenario& scenario, const RunOptions& options) {
  const Mode mode = options.mode.value_or(scenario.simulation.mode);
  const std::uint64_t seed = options.seed.value_or(scenario.simulation.seed);
  if (options.precision && !(*options.precision > 0 && *options.precision < 1))
    throw OptionError("precision", "must be between 0 and 1 (exclusive)");
  const bool to_precision = options.precision.has_value() && mode == Mode::Stochastic;
  long long paths = options.paths.value_or(
      to_precision ? limits::kDefaultMaxPrecisionPaths : scenario.simulation.paths);
  if (paths < 1 || paths > limits::kMaxPaths)
    throw OptionError("paths", "must be between 1 and " +
                                   std::to_string(limits::kMaxPaths) + " (got " +
                                   std::to_string(paths) + ")");
  if (mode == Mode::Expected) paths = 1;  // no randomness: more paths would repeat it
  if (options.block_paths < 1) throw OptionError("block_paths", "must be >= 1");
  if (!(options.memory_budget_bytes > 0))
    throw OptionError("memory_budget", "must be > 0");
  const int threads = resolve_threads(options.threads);

  const long long first_block =
      to_precision ? std::min<long long>(options.block_paths, paths) : paths;
  const double need = run_memory_bytes(scenario, first_block, threads);
  if (need > options.memory_budget_bytes)
    throw OptionError(
        "paths", "a run of " + std::to_string(first_block) + " paths on " +
                     std::to_string(std::min<long long>(threads, first_block)) +
                     " threads needs " + gib(need) + ", above the memory budget of " +
                     gib(options.memory_budget_bytes) +
                     "; use fewer paths, workloads or months, or raise the budget");
  // A precision run grows only as far as the budget allows.
  const double per_path = bytes_per_path(scenario);
  const double traffic_bytes = run_memory_bytes(scenario, 0, threads);
  if (to_precision)
    paths = std::clamp<long long>(
        (long long)((options.memory_budget_bytes - traffic_bytes) / per_path),
        first_block, paths);

  const TrafficModel traffic(scenario);
  const bool antithetic = options.antithetic.value_or(scenario.simulation.antithetic) &&
                          mode == Mode::Stochastic;
  const SloCeilings slo(scenario);
  const RunContext run{scenario, traffic, mode, antithetic, seed, threads, options,
                       slo};
  SimulationResult result;
  result.start(scenario, mode, seed);
  result.antithetic = antithetic;

  if (!to_precision) {
    result.reserve_paths(int(paths));
    result.add_paths(int(paths));
    run_block(run, 0, int(paths), int(paths), result);
    if (options.progress) options.progress(int(paths), int(paths));
    return result;
  }
  PrecisionTracker tracker(int(scenario.strategies.size()), scenario.baseline,
                           *options.precision, antithetic);
  long long next = first_block;
  bool met = false;
  while (!met && result.paths < paths) {
    const int first = result.paths;
    result.reserve_paths(int(first + next));  // a no-op while the prediction holds
    result.add_paths(int(next));
    run_block(run, first, int(next), int(paths), result);
    tracker.add(result, first);
    met = tracker.met();
    if (met) break;
    // Reserve what the slowest statistic still needs, 10% over, so that later
    // blocks do not move the arrays; run it in blocks of at least block_paths and
    // at most as many again as done (early estimates are noisy).
    const long long predicted = std::clamp<long long>(
        (long long)std::ceil(1.1 * tracker.paths_needed()), result.paths, paths);
    result.reserve_paths(int(predicted));
    next = std::clamp<long long>(predicted - result.paths, options.block_paths,
                                 std::max(result.paths, 1));
    if (antithetic) next += next % 2;  // blocks hold whole pairs
    next = std::min<long long>(next, paths - result.paths);
  }
  result.precision_target = options.precision;
  result.precision_met = met;
  if (options.progress) options.progress(result.paths, result.paths);
  return result;
}

}  // namespace breakeven
