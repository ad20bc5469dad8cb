#include "breakeven/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "breakeven/calendar.hpp"

namespace breakeven {


double quantile_sorted(std::span<const double> sorted, double q) {
  if (sorted.empty()) return 0.0;
  const double pos = q * double(sorted.size() - 1);
  const std::size_t lo = std::size_t(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = pos - double(lo);
  return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}

Band band_of(std::vector<double> values, bool pairs) {
  Band b;
  const std::size_t n = values.size();
  if (n == 0) return b;
  // Summed in path order, so the result does not depend on the thread count.
  b.mean = std::accumulate(values.begin(), values.end(), 0.0) / double(n);
  if (pairs && n > 3) {
    const std::size_t k = n / 2;  // whole pairs; an odd last path is left out
    double mean = 0.0, ss = 0.0;
    for (std::size_t i = 0; i < k; ++i) mean += 0.5 * (values[2 * i] + values[2 * i + 1]);
    mean /= double(k);
    for (std::size_t i = 0; i < k; ++i) {
      const double d = 0.5 * (values[2 * i] + values[2 * i + 1]) - mean;
      ss += d * d;
    }
    b.se = std::sqrt(ss / double(k - 1) / double(k));
  } else if (n > 1) {
    double ss = 0.0;
    for (double v : values) ss += (v - b.mean) * (v - b.mean);
    b.se = std::sqrt(ss / double(n - 1) / double(n));
  }
  std::sort(values.begin(), values.end());
  b.p5 = quantile_sorted(values, 0.05);
  b.p50 = quantile_sorted(values, 0.50);
  b.p95 = quantile_sorted(values, 0.95);
  return b;
}

int break_even_month(std::span<const double> baseline,
                     std::span<const double> strategy) {
  double saved = 0.0;
  for (std::size_t m = 0; m < baseline.size(); ++m) {
    saved += baseline[m] - strategy[m];
    if (saved >= 0) return int(m) + 1;
  }
  return 0;
}

std::optional<int> break_even_quantile(std::vector<int> months, double q) {
  if (months.empty()) return std::nullopt;
  // "Never" sorts after every month.
  for (int& m : months)
    if (m == 0) m = std::numeric_limits<int>::max();
  std::sort(months.begin(), months.end());
  // 1-based rank ceil(q n): at least a share q of paths lie at or below it.
  const double rank = std::ceil(q * double(months.size()) - 1e-9);
  const std::size_t index =
      std::size_t(std::clamp(rank, 1.0, double(months.size()))) - 1;
  const int m = months[index];
  if (m == std::numeric_limits<int>::max()) return std::nullopt;
  return m;
}

void RunningMoments::add(double x) {
  ++n_;
  const double delta = x - mean_;
  mean_ += delta / double(n_);
  m2_ += delta * (x - mean_);
}

double RunningMoments::se() const {
  return n_ > 1 ? std::sqrt(m2_ / double(n_ - 1) / double(n_)) : 0.0;
}

std::vector<int> break_even_months(const SimulationResult& r, int s) {
  const int H = r.months;
  std::vector<int> months(r.paths);
  for (int p = 0; p < r.paths; ++p)
    months[p] = break_even_month({&r.cost[r.offset(r.baseline, p, 0)], std::size_t(H)},
                                 {&r.cost[r.offset(s, p, 0)], std::size_t(H)});
  return months;
}

namespace {

BreakEven break_even_of(const SimulationResult& r, int s) {
  BreakEven be;
  const int H = r.months;
  be.month_probability.assign(H, 0.0);
  const std::vector<int> months = break_even_months(r, s);
  std::vector<double> saved(r.paths);
  for (int p = 0; p < r.paths; ++p) {
    const double* base = &r.cost[r.offset(r.baseline, p, 0)];
    const double* mine = &r.cost[r.offset(s, p, 0)];
    double d = 0.0;
    for (int m = 0; m < H; ++m) d += base[m] - mine[m];
    saved[p] = d;
    if (months[p] > 0) {
      be.p_within_horizon += 1.0;
      be.month_probability[months[p] - 1] += 1.0;
    }
  }
  be.p_within_horizon /= r.paths;
  for (double& x : be.month_probability) x /= r.paths;
  be.p50_month = break_even_quantile(months, 0.5);
  be.p90_month = break_even_quantile(months, 0.9);
  be.savings_at_horizon = band_of(std::move(saved), r.antithetic);
  return be;
}

}  // namespace

Summary summarize(const SimulationResult& r) {
  Summary out;
  const int H = r.months, P = r.paths, W = r.workloads();
  for (int s = 0; s < r.strategies(); ++s) {
    StrategySummary ss;
    ss.name = r.strategy_names[s];
    std::vector<double> column(P), running(P, 0.0);
    for (int m = 0; m < H; ++m) {
      for (int p = 0; p < P; ++p) {
        column[p] = r.cost_at(s, p, m);
        running[p] += column[p];
      }
      ss.monthly.push_back(band_of(column, r.antithetic));
      ss.cumulative.push_back(band_of(running, r.antithetic));
    }
    ss.total = band_of(running, r.antithetic);

    auto mean_over_paths = [&](const std::vector<double>& data, int width) {
      std::vector<double> mean(std::size_t(H) * width, 0.0);
      for (int p = 0; p < P; ++p) {
        const double* row = &data[r.offset(s, p, 0, width)];
        for (std::size_t i = 0; i < mean.size(); ++i) mean[i] += row[i];
      }
      for (double& x : mean) x /= P;
      return mean;
    };
    ss.parts = mean_over_paths(r.parts, kPartCount);
    ss.workload_cost = mean_over_paths(r.workload_cost, W);
    ss.requests = mean_over_paths(r.requests, kServedCount);
    ss.gpu_hours = mean_over_paths(r.gpu_hours, 1);
    ss.details = mean_over_paths(r.details, kDetailCount);
    for (int m = 0; m < H; ++m) {
      const double* d = &ss.details[std::size_t(m) * kDetailCount];
      ss.on_demand_gpu_hours.push_back(
          std::max(0.0, ss.gpu_hours[m] - d[kCommittedGpuHours] - d[kSpotGpuHours]));
      ss.on_demand_gpu_cost.push_back(
          std::max(0.0, ss.parts[std::size_t(m) * kPartCount + kGpu] -
                            d[kCommittedGpuCost] - d[kSpotGpuCost]));
    }
    if (r.has_slo()) {
      const std::vector<double> breach = mean_over_paths(r.slo_breach_hours, W);
      const double hours = double(H) * kHoursPerMonth;
      for (int w : r.slo_workloads) {
        double total = 0.0;
        for (int m = 0; m < H; ++m) {
          ss.slo_breach_hours.push_back(breach[std::size_t(m) * W + w]);
          total += breach[std::size_t(m) * W + w];
        }
        ss.slo_met.push_back(1.0 - total / hours);
      }
    }
    const std::vector<double> served = mean_over_paths(r.gpu_seconds_served, 1);
    ss.utilization.resize(H);
    double served_total = 0.0, provisioned_total = 0.0;
    for (int m = 0; m < H; ++m) {
      const double provisioned = ss.gpu_hours[m] * kSecondsPerHour;
      ss.utilization[m] = provisioned > 0 ? served[m] / provisioned : 0.0;
      served_total += served[m];
      provisioned_total += provisioned;
    }
    ss.utilization_over_horizon =
        provisioned_total > 0 ? served_total / provisioned_total : 0.0;

    // Savings against the baseline at the horizon, as a share of its total.
    std::vector<double> fraction(P);
    double saved_sum = 0.0, base_sum = 0.0;
    for (int p = 0; p < P; ++p) {
      double base = 0.0, mine = 0.0;
      for (int m = 0; m < H; ++m) {
        base += r.cost_at(r.baseline, p, m);
        mine += r.cost_at(s, p, m);
      }
      fraction[p] = base > 0 ? (base - mine) / base : 0.0;
      saved_sum += base - mine;
      base_sum += base;
    }
    ss.savings_fraction = band_of(std::move(fraction), r.antithetic);
    ss.savings_fraction.mean = base_sum > 0 ? saved_sum / base_sum : 0.0;
    if (s != r.baseline) ss.break_even = break_even_of(r, s);
    out.strategies.push_back(std::move(ss));
  }
  const int K = int(r.price_path_names.size());
  std::vector<double> column(P);
  for (int k = 0; k < K; ++k) {
    std::vector<Band>& bands = out.price_paths.emplace_back();
    for (int m = 0; m < H; ++m) {
      for (int p = 0; p < P; ++p)
        column[p] = r.price_factors[(std::size_t(p) * K + k) * H + m];
      bands.push_back(band_of(column, r.antithetic));
    }
  }
  return out;
}

}  // namespace breakeven
