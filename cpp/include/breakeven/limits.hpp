// Every bound and default of the engine's inputs, in one place. The parser and
// the run options check against these; the Python package reads them from the
// module (breakeven._core.LIMITS) instead of restating them.
//
// The bounds are chosen so that every sum the engine forms stays finite in double
// precision: the largest hourly rate (1e12 requests) times the largest request
// (1e8 tokens) times the largest price (1e6 USD per 1M tokens) over 240 months is
// about 2e35, far below 1.8e308, even with a lognormal weekly factor at sigma 5.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

namespace breakeven::limits {

// -- scenario sizes: bounded so that validation is fast (the correlation check is
//    cubic in the workload count) and a 1 KB file cannot ask for gigabytes.
inline constexpr int kMaxHorizonMonths = 240;
// quality scores and min_quality, on the user's own scale
inline constexpr double kMaxQuality = 1e6;
inline constexpr int kMaxWorkloads = 500;
inline constexpr int kMaxStrategies = 200;
inline constexpr int kMaxClusters = 200;
inline constexpr int kMaxModels = 1000;
inline constexpr int kMaxExpectations = 1000;
inline constexpr std::size_t kMaxNameLength = 200;

// -- values the engine can represent
inline constexpr double kMaxRequestsPerHour = 1e12;  // peak expected rate, any hour
inline constexpr double kMaxTokensPerRequest = 1e8;
inline constexpr double kMaxTokenCv = 100.0;
inline constexpr double kMaxPricePerMillion = 1e6;  // USD per 1M tokens
inline constexpr double kMaxGpuPricePerHour = 1e6;
inline constexpr double kMaxTokensPerSecond = 1e12;  // per GPU
inline constexpr double kMinTokensPerSecond = 1e-6;
inline constexpr int kMaxGpus = 1000000;
inline constexpr double kMaxFixedCost = 1e15;  // any one fixed cost, per month
inline constexpr double kMaxSigma = 5.0;
inline constexpr double kMaxPriceFactor = 100.0;   // one price change
inline constexpr double kMaxMonthlyTrend = 0.5;    // a price trend's central rate
inline constexpr double kMaxBurstMultiplier = 1e4;
// A fitted scenario's history: at most a century of logs.
inline constexpr double kMaxHistoryDays = 36600;
// A workload's activity: the longest mean run of on or off days (ten years).
inline constexpr double kMaxActivityDays = 3650;
inline constexpr double kMaxCacheTtlMinutes = 7 * 24 * 60;
inline constexpr int kMaxPrefixVariants = 1000000000;
inline constexpr int kMaxCacheTiers = 10;       // per model
inline constexpr double kMaxMeanTurns = 1000;   // a geometric number of turns
inline constexpr int kMaxTurns = 10000;         // the last point of a turns cdf
inline constexpr int kMaxCdfPoints = 1000;      // points of a turns or gap cdf
inline constexpr double kMaxGapMinutes = 365 * 24 * 60;
inline constexpr double kMaxPrefixCacheTokens = 1e12;  // a cluster's prefix cache
inline constexpr double kMaxMinuteDispersion = 1e6;    // variance / mean per minute
inline constexpr double kMaxGrowthUncertainty = 1.0;   // sd of growth per month
inline constexpr int kMaxDeadlineHours = 24 * 365;
inline constexpr int kMaxLagHours = 24 * 365;
inline constexpr int kMaxRouteLegs = 16;  // targets of one split route
inline constexpr int kMaxProvisionedUnits = 1000000;  // of one provisioned deployment
// How far a split's shares may add up from 1 (as typed: 0.33 + 0.33 + 0.34).
inline constexpr double kRouteShareTolerance = 1e-6;
// -- serving latency (latency.hpp, serving_des.hpp)
inline constexpr int kMaxBatch = 100000;  // sequences one replica decodes together
// A workload's slo: p95 TTFT and TPOT limits, milliseconds (an hour at most).
inline constexpr double kMaxSloMs = 3.6e6;
// Requests one replay may serve: memory is ~100 bytes a request and the time
// grows with their output tokens, so an hour of a large cluster still fits.
inline constexpr int kMaxReplayRequests = 10000000;

// -- run options
inline constexpr int kDefaultPaths = 1000;
inline constexpr int kMaxPaths = 100000000;
inline constexpr int kDefaultMaxPrecisionPaths = 100000;  // paths cap of a precision run
inline constexpr int kDefaultBlockPaths = 1000;
inline constexpr int kMaxThreads = 1024;
inline constexpr std::uint64_t kMaxSeed = std::numeric_limits<std::uint64_t>::max();
// Memory that the arrays of a run may take (results, and each worker's traffic
// path), estimated before anything is allocated. Configurable per run.
inline constexpr double kDefaultMemoryBudgetBytes = 4.0 * (1ull << 30);

// The standard normal's 95th percentile as a scenario's p95s are read (p50 and p95
// of a lognormal, weekly_p95_over_p5): rounded once, here, so that Python's
// conversions (breakeven._core.Z95) give the same sigma to the bit.
inline constexpr double kZ95 = 1.6448536;

}  // namespace breakeven::limits
