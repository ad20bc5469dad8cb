#include "breakeven/result_json.hpp"

#include <cmath>
#include <stdexcept>

#include "breakeven/scenario_json.hpp"
#include "breakeven/version.hpp"

namespace breakeven {
namespace {

// Guard of the contract: no NaN or infinity ever reaches a report.
double finite(double x) {
  if (!std::isfinite(x)) throw std::logic_error("non-finite value in result");
  return x;
}

Json series(const std::vector<double>& v) {
  Json out = Json::array();
  for (double x : v) out.push_back(finite(x));
  return out;
}

// Column `k` of a [month][width] array.
Json column(const std::vector<double>& v, int width, int k) {
  Json out = Json::array();
  for (std::size_t i = k; i < v.size(); i += width) out.push_back(finite(v[i]));
  return out;
}

Json band_json(const Band& b, bool with_se = true) {
  Json out = {{"mean", finite(b.mean)}};
  if (with_se) out["se"] = finite(b.se);
  out["p5"] = finite(b.p5);
  out["p50"] = finite(b.p50);
  out["p95"] = finite(b.p95);
  return out;
}

Json bands_json(const std::vector<Band>& bands, bool with_se) {
  Json out = Json::object();
  std::vector<double> mean, se, p5, p50, p95;
  for (const Band& b : bands) {
    mean.push_back(b.mean);
    se.push_back(b.se);
    p5.push_back(b.p5);
    p50.push_back(b.p50);
    p95.push_back(b.p95);
  }
  out["mean"] = series(mean);
  if (with_se) out["se"] = series(se);
  out["p5"] = series(p5);
  out["p50"] = series(p50);
  out["p95"] = series(p95);
  return out;
}

Json month_or_null(const std::optional<int>& m) { return m ? Json(*m) : Json(nullptr); }

}  // namespace

Json result_json(const SimulationResult& r, const Summary& summary) {
  Json out = Json::object();
  out["version"] = kResultFormatVersion;
  out["engine_version"] = kEngineVersion;
  out["scenario"] = r.scenario;
  out["mode"] = mode_name(r.mode);
  out["paths"] = r.paths;
  out["seed"] = r.seed;
  out["antithetic"] = r.antithetic;
  out["horizon_months"] = r.months;
  out["baseline"] = r.strategy_names[r.baseline];
  out["workloads"] = r.workload_names;
  if (!r.serving.empty()) {
    Json serving = Json::object();
    for (const auto& [cluster, basis] : r.serving) serving[cluster] = serving_json(basis);
    out["serving"] = std::move(serving);
  }
  if (r.history)
    out["history"] = {{"days", r.history->days},
                      {"logs", r.history->logs},
                      {"short", r.history->is_short()}};
  if (r.precision_target)
    out["precision"] = {{"target", *r.precision_target}, {"met", r.precision_met}};
  Json strategies = Json::array();
  for (const StrategySummary& s : summary.strategies) {
    Json j = Json::object();
    j["name"] = s.name;
    j["monthly_cost"] = bands_json(s.monthly, true);
    j["cumulative_cost"] = bands_json(s.cumulative, false);
    Json parts = Json::object();
    for (int k = 0; k < kPartCount; ++k)
      parts[kPartNames[k]] = column(s.parts, kPartCount, k);
    j["parts"] = parts;
    Json workloads = Json::object();
    for (int w = 0; w < r.workloads(); ++w)
      workloads[r.workload_names[w]] = column(s.workload_cost, r.workloads(), w);
    j["workload_cost"] = workloads;
    Json requests = Json::object();
    for (int k = 0; k < kServedCount; ++k)
      requests[kServedNames[k]] = column(s.requests, kServedCount, k);
    j["requests"] = requests;
    j["gpu_hours"] = series(s.gpu_hours);
    Json details = Json::object();
    for (int k = 0; k < kDetailCount; ++k)
      details[kDetailNames[k]] = column(s.details, kDetailCount, k);
    details["on_demand_gpu_hours"] = series(s.on_demand_gpu_hours);
    details["on_demand_gpu_cost"] = series(s.on_demand_gpu_cost);
    j["details"] = details;
    if (r.has_slo()) {
      // Per workload with an slo: mean hours in breach per month and P(SLO met).
      Json slo = Json::object();
      for (std::size_t i = 0; i < r.slo_workloads.size(); ++i) {
        const auto first = s.slo_breach_hours.begin() + std::ptrdiff_t(i) * r.months;
        slo[r.workload_names[r.slo_workloads[i]]] = {
            {"breach_hours", series(std::vector<double>(first, first + r.months))},
            {"p_met", finite(s.slo_met[i])}};
      }
      j["slo"] = std::move(slo);
    }
    j["utilization"] = series(s.utilization);
    j["utilization_over_horizon"] = finite(s.utilization_over_horizon);
    j["total_cost"] = band_json(s.total);
    j["savings_vs_baseline"] = band_json(s.savings_fraction, false);
    if (s.break_even) {
      const BreakEven& be = *s.break_even;
      j["break_even"] = {
          {"p_within_horizon", finite(be.p_within_horizon)},
          {"p50_month", month_or_null(be.p50_month)},
          {"p90_month", month_or_null(be.p90_month)},
          {"savings_at_horizon", band_json(be.savings_at_horizon, false)},
          {"month_probability", series(be.month_probability)}};
    } else {
      j["break_even"] = nullptr;
    }
    strategies.push_back(std::move(j));
  }
  out["strategies"] = std::move(strategies);
  Json prices = Json::object();
  for (std::size_t k = 0; k < summary.price_paths.size(); ++k)
    prices[r.price_path_names[k]] = bands_json(summary.price_paths[k], false);
  out["price_paths"] = prices;
  return out;
}

}  // namespace breakeven
