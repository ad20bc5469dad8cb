// The engine's constants, so that Python never restates them.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "breakeven/calendar.hpp"
#include "breakeven/limits.hpp"
#include "breakeven/result.hpp"
#include "breakeven/serving.hpp"

namespace py = pybind11;

namespace breakeven::python {

void register_limits(py::module_& m) {
  m.attr("HOURS_PER_DAY") = kHoursPerDay;
  m.attr("HOURS_PER_WEEK") = kHoursPerWeek;
  m.attr("HOURS_PER_MONTH") = kHoursPerMonth;
  m.attr("SECONDS_PER_HOUR") = kSecondsPerHour;
  m.attr("Z95") = limits::kZ95;

  std::vector<std::string> parts(kPartNames, kPartNames + kPartCount);
  std::vector<std::string> served(kServedNames, kServedNames + kServedCount);
  m.attr("PART_NAMES") = py::tuple(py::cast(parts));
  m.attr("SERVED_NAMES") = py::tuple(py::cast(served));
  std::vector<std::string> details(kDetailNames, kDetailNames + kDetailCount);
  m.attr("DETAIL_NAMES") = py::tuple(py::cast(details));

  namespace L = limits;
  py::dict d;
  d["max_horizon_months"] = L::kMaxHorizonMonths;
  d["max_models"] = L::kMaxModels;
  d["max_workloads"] = L::kMaxWorkloads;
  d["max_strategies"] = L::kMaxStrategies;
  d["max_clusters"] = L::kMaxClusters;
  d["max_name_length"] = L::kMaxNameLength;
  d["max_requests_per_hour"] = L::kMaxRequestsPerHour;
  d["max_tokens_per_request"] = L::kMaxTokensPerRequest;
  d["max_price_per_million"] = L::kMaxPricePerMillion;
  d["max_gpu_price_per_hour"] = L::kMaxGpuPricePerHour;
  d["max_gpus"] = L::kMaxGpus;
  d["max_batch"] = L::kMaxBatch;
  d["max_slo_ms"] = L::kMaxSloMs;
  d["max_replay_requests"] = L::kMaxReplayRequests;
  d["max_cache_tiers"] = L::kMaxCacheTiers;
  d["max_mean_turns"] = L::kMaxMeanTurns;
  d["max_turns"] = L::kMaxTurns;
  d["max_cdf_points"] = L::kMaxCdfPoints;
  d["max_gap_minutes"] = L::kMaxGapMinutes;
  d["max_prefix_cache_tokens"] = L::kMaxPrefixCacheTokens;
  d["max_minute_dispersion"] = L::kMaxMinuteDispersion;
  d["max_activity_days"] = L::kMaxActivityDays;
  d["max_history_days"] = L::kMaxHistoryDays;
  d["short_history_days"] = kShortHistoryDays;
  d["max_growth_uncertainty"] = L::kMaxGrowthUncertainty;
  d["max_sigma"] = L::kMaxSigma;
  d["max_route_legs"] = L::kMaxRouteLegs;
  d["max_provisioned_units"] = L::kMaxProvisionedUnits;
  d["route_share_tolerance"] = L::kRouteShareTolerance;
  d["default_paths"] = L::kDefaultPaths;
  d["max_paths"] = L::kMaxPaths;
  d["default_max_precision_paths"] = L::kDefaultMaxPrecisionPaths;
  d["default_block_paths"] = L::kDefaultBlockPaths;
  d["max_threads"] = L::kMaxThreads;
  d["max_seed"] = L::kMaxSeed;
  d["default_memory_budget_bytes"] = L::kDefaultMemoryBudgetBytes;
  d["max_gpus_per_replica"] = serving::kMaxGpusPerReplica;
  d["max_serving_concurrency"] = serving::kMaxConcurrency;
  m.attr("LIMITS") = d;

  // The serving model's constants (docs/model.md "Serving catalog and memory fit").
  py::dict sv;
  sv["usable_memory_share"] = serving::kUsableMemoryShare;
  sv["default_concurrency"] = serving::kDefaultConcurrency;
  sv["compute_efficiency"] = serving::kComputeEfficiency;
  sv["bandwidth_efficiency"] = serving::kBandwidthEfficiency;
  m.attr("SERVING") = sv;
}

}  // namespace breakeven::python
