// The scenario after validation: every default filled in, every name resolved
// to an index. The engine never sees the raw file (see scenario_parse.hpp).
#pragma once

#include <Eigen/Dense>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "breakeven/limits.hpp"
#include "breakeven/quality.hpp"
#include "breakeven/serving.hpp"

namespace breakeven {

// Mean and standard deviation of one request's token count.
struct TokenSize {
  double mean = 0.0;
  double sd = 0.0;
};

enum class Latency { Realtime, Batch };

struct Spikiness {
  double sigma = 0.0;            // s_w of the weekly AR(1) log-multiplier
  double autocorrelation = 0.0;  // phi_w
  // Model v2: the hourly AR(1) log-multiplier S_w(t), sh and ph.
  double hourly_sigma = 0.0;
  double hourly_autocorrelation = 0.0;
  // Requests per minute within an hour: variance / mean of the minute counts (1:
  // Poisson arrivals); 0: the hour's requests come evenly (a rate limit is an
  // hourly budget of 60 R).
  double minute_dispersion = 0.0;
};

// Clients that switch on and off for days at a time (docs/model.md "Activity"):
// a two-state Markov chain over the scenario's days (day d: hours 24d..24d+23),
// with mean runs of on_days and off_days, started from its stationary share
// on = on_days / (on_days + off_days). An off day has no requests; an on day's
// rate is the workload's divided by that share, so requests per hour stays the
// mean over days on and off.
struct Activity {
  double on_days = 0.0;  // 0: always on
  double off_days = 0.0;

  bool switches() const { return on_days > 0; }
  double on_share() const { return on_days / (on_days + off_days); }
};

struct Bursts {
  double per_month = 0.0;
  int hours = 0;
  double multiplier = 1.0;
};

// A conversation's shape (docs/model.md "Conversations"): how many turns, the
// gap between consecutive turns, and how much each turn adds to the next turn's
// prompt. The cache figures that follow from it live in cache.hpp.
struct Conversation {
  // Turns per conversation: geometric on 1, 2, ... with this mean, or (when
  // turn_cdf is not empty) P(T <= turns) at increasing whole turns, ending at 1.
  double mean_turns = 1.0;
  std::vector<std::pair<int, double>> turn_cdf;
  // Gap between turns in minutes: lognormal (gap_mu, gap_sigma of its log), or
  // (when gap_cdf is not empty) piecewise linear through (0, 0) and these
  // (minutes, share) points and flat after the last one: the rest of the next
  // turns come after any TTL.
  double gap_mu = 0.0;
  double gap_sigma = 0.0;
  std::vector<std::pair<double, double>> gap_cdf;
  double history_tokens_per_turn = 0.0;  // g
  // The variable tokens a read of the previous turn covers, as measured (a fit
  // calibrated to logs); none: the previous turn's prompt beyond the prefix.
  std::optional<double> tokens_per_read;

  // P(T >= k) for k >= 1.
  double turns_at_least(int k) const;
  // The largest k with P(T >= k) > 0 that matters (1e-15 of the first turn).
  int last_turn() const;
  // P(gap <= minutes).
  double gap_within(double minutes) const;
  // E[min(gap, minutes)]: how long an entry is kept when the next turn comes.
  double gap_capped_mean(double minutes) const;
  // E[T], and the mean number of earlier turns of a request, E[T(T-1)/2] / E[T].
  double expected_turns() const;
  double mean_earlier_turns() const;
};

// A real-time workload's latency objective (docs/model.md "Serving latency"): the
// p95 TTFT and p95 TPOT of an hour's requests at a cluster, in seconds; either
// may be absent (infinite). Checked where the workload is routed to a cluster.
struct Slo {
  double ttft_p95_s = 0.0;
  double tpot_p95_s = 0.0;
};

struct Workload {
  std::string name;
  double requests_per_hour = 0.0;  // R_w
  TokenSize input;
  TokenSize output;
  double prefix_tokens = 0.0;  // P
  int prefix_variants = 1;     // K
  Latency latency = Latency::Realtime;
  int deadline_hours = 0;                   // batch only
  std::array<double, 24> hourly_weights{};  // divided by their mean
  std::array<double, 7> weekday_weights{};  // divided by their mean
  double growth_per_month = 0.0;
  Spikiness spikiness;
  Activity activity;
  Bursts bursts;
  // Routes scoring below this in the scenario's quality table are not allowed
  // (nor are routes without a score); none: every route is.
  std::optional<double> min_quality;
  // With it, a route needs P(quality >= min_quality) >= this under the score's
  // uncertainty (probability_at_least); without it, a mean score >= min_quality.
  std::optional<double> min_quality_probability;
  std::optional<Conversation> conversation;
  std::optional<Slo> slo;
  // Parameter uncertainty (a fit's standard errors): each path draws its own
  // base rate, R exp(s_r Z - s_r^2/2), and growth, g + s_g Z (> -0.99).
  double rate_uncertainty = 0.0;    // s_r, relative
  double growth_uncertainty = 0.0;  // s_g, per month

  bool is_batch() const { return latency == Latency::Batch; }
  // MODEL.md "Tokens": the variable input part has mean mean_in - P and the
  // standard deviation of the whole input.
  double variable_input_mean() const { return input.mean - prefix_tokens; }
};

// Model v2 "Prices that change over the horizon": price_changes (factors from a
// month on, compounding) and a price_trend (one rate r ~ Normal(monthly, sigma),
// r > -0.5, per path), multiplied together.
struct PricePath {
  struct Change {
    int month = 0;
    double factor = 1.0;
  };
  std::vector<Change> changes;  // sorted by month
  bool has_trend = false;
  double trend_monthly = 0.0;
  double trend_sigma = 0.0;

  bool is_flat() const { return changes.empty() && !has_trend; }
  // The price factor of month m on a path whose trend rate is r.
  double factor(int m, double r) const;
};

// Model v2 "API rate limits": at most R requests (and T tokens) a minute per
// strategy; the excess goes to `fallback`, or is counted rate-limited.
struct RateLimit {
  double requests_per_minute = 0.0;
  // Input and output tokens per minute; none: no token limit.
  std::optional<double> tokens_per_minute;
  std::optional<int> fallback;  // index into Scenario::models
  std::string fallback_name;    // as written, resolved once all models are known
  std::string path;             // field path, for errors found at resolution

  double per_hour() const { return 60.0 * requests_per_minute; }
};

// One prompt-cache retention a provider sells: entries live this long after
// their last use; a write costs write_multiplier x the input price; an explicit
// cache (Google) also pays storage per 1M tokens per hour kept.
struct CacheTier {
  double ttl_minutes = 5.0;
  double write_multiplier = 1.0;
  double storage_per_mtok_hour = 0.0;
};

// A long-context tier (docs/model.md "Provisioned throughput and long-context
// tiers"): a request whose input is above this many tokens pays these prices
// (USD per 1M tokens) for all of its tokens.
struct LongContext {
  double above_input_tokens = 0.0;
  double input = 0.0;
  double output = 0.0;
  std::optional<double> cached_input;  // set when the model has a cached price
};

// Service tiers a provider sells beside its standard one, as multipliers of all
// of a model's token prices (OpenAI flex and priority processing).
enum class ServiceTier { Standard, Flex, Priority };
const char* service_tier_name(ServiceTier tier);

struct ApiModel {
  std::string name;
  double input = 0.0;  // USD per 1M tokens
  double output = 0.0;
  std::optional<double> cached_input;
  double cache_min_tokens = 1024.0;
  // Cached tokens come in whole blocks of this many tokens (OpenAI: 128).
  double cache_block_tokens = 1.0;
  // The TTL tiers a provider sells: the first is the default (cache_ttl_minutes
  // and cache_write_multiplier in a file), the others cache_ttl_tiers.
  std::vector<CacheTier> cache_tiers{CacheTier{}};
  double batch_discount = 0.0;
  PricePath price_path;  // of all the model's token prices
  std::optional<RateLimit> rate_limit;
  std::optional<LongContext> long_context;
  std::optional<double> flex_multiplier, priority_multiplier;  // none: not sold

  // The multiplier of the tier's prices; none when the model does not sell it.
  std::optional<double> tier_multiplier(ServiceTier tier) const {
    if (tier == ServiceTier::Flex) return flex_multiplier;
    if (tier == ServiceTier::Priority) return priority_multiplier;
    return 1.0;
  }
  std::string source;
  std::string as_of;
};

struct FixedCosts {
  double setup = 0.0;
  double ops_per_month = 0.0;
  double staff_fte = 0.0;
  double staff_annual_cost = 0.0;
  int revalidation_every_months = 0;  // 0: never
  double revalidation_cost = 0.0;

  // Fixed cost charged in month m (MODEL.md "Self-hosted cluster", last bullet).
  double in_month(int m) const;
};

// Model v2 "Committed (reserved) GPUs": R GPUs billed at their contract price
// every hour of the term, used or not.
struct Commitment {
  int gpus = 0;
  double price_per_hour = 0.0;
  int from_month = 0;
  int term_months = 12;
  bool renew = false;

  bool active(int month) const {
    return month >= from_month && (renew || month < from_month + term_months);
  }
};

// Model v2 "Spot GPUs": S extra GPUs at a spot price, removed by interruptions.
struct Spot {
  int gpus = 0;
  double price_per_hour = 0.0;
  double interruptions_per_month = 0.0;
  int outage_hours = 1;
};

struct Cluster {
  std::string name;
  double gpu_price_per_hour = 0.0;
  PricePath gpu_price_path;  // of gpu_price_per_hour
  bool autoscaled = false;
  // The autoscaler also runs enough replicas for the slos of the real-time
  // workloads routed here (gpus.scale_to: slo; docs/model.md "SLOs in a run").
  bool scale_to_slo = false;
  int min_gpus = 0;  // == max_gpus for a fixed cluster
  int max_gpus = 0;
  int lag_hours = 0;
  double prefill_tokens_per_s = 0.0;  // per GPU
  double decode_tokens_per_s = 0.0;   // per GPU
  double utilization = 0.7;
  // The share of prefix prefill saved, as given; or (when prefix_cache_tokens is
  // set) derived per workload from a prefix cache of that many tokens (cache.hpp).
  double prefix_reuse = 0.0;
  std::optional<double> prefix_cache_tokens;
  int available_from_month = 0;
  std::optional<int> overflow_model;  // index into Scenario::models
  FixedCosts fixed;
  std::optional<Commitment> commitment;
  std::optional<Spot> spot;
  std::string offer;  // the catalog GPU offer its prices came from, if any
  // GPUs come in whole replicas of this many (tensor parallel); the autoscaler
  // rounds up to them. 1 unless `serving:` sized a replica.
  int replica_gpus = 1;
  std::optional<Serving> serving;  // where the token rates came from, if not typed
};

// Provisioned throughput (Azure PTU, Bedrock provisioned units, Vertex provisioned
// throughput, OpenAI Scale Tier): units bought for a term at a fixed price per
// unit-hour, each good for so many tokens a minute; what exceeds them in a minute
// goes to a pay-as-you-go model (docs/model.md "Provisioned throughput and
// long-context tiers").
struct Provisioned {
  std::string name;
  double price_per_unit_hour = 0.0;
  double tokens_per_minute_per_unit = 0.0;  // input and output tokens
  int units = 1;
  int term_months = 1;
  std::optional<int> overflow_model;  // index into Scenario::models; none: rate-limited
  std::string source;
  std::string as_of;

  double tokens_per_minute() const { return units * tokens_per_minute_per_unit; }
  double price_per_hour() const { return units * price_per_unit_hour; }
};

// Where one share of a workload's requests goes (docs/model.md "Routes that split
// and cascade").
struct RouteLeg {
  enum class Kind { Api, Cluster, Provisioned };
  Kind kind = Kind::Api;
  int index = 0;       // into Scenario::models, clusters or provisioned
  double share = 1.0;  // of the workload's requests, each hour
  // A cascade's escalation: the requests the first leg served once more, paid
  // again in full; they are counted where they were first served, not again.
  bool escalation = false;
};

// A workload's route: one target (one leg of share 1), a split (legs whose shares
// add up to 1), or a cascade (the first model for all requests, then a share
// escalated to the second).
struct Route {
  using Kind = RouteLeg::Kind;
  Kind kind = Kind::Api;  // of the first leg
  int index = 0;          // of the first leg
  std::vector<RouteLeg> legs;
  enum class Shape { Single, Split, Cascade };
  Shape shape = Shape::Single;
  // A cascade's escalated share came from the quality table (docs/model.md).
  bool escalation_from_quality = false;

  static Route single(Kind kind, int index) {
    return {kind, index, {RouteLeg{kind, index, 1.0, false}}, Shape::Single, false};
  }
};

struct Strategy {
  std::string name;
  std::vector<Route> routes;  // one per workload, in workload order
  bool caching = false;
  // The cache TTL asked per workload, in workload order; 0: the model's default
  // tier. A model that does not sell the asked TTL uses its default.
  std::vector<double> cache_ttl_minutes;
  bool batch_api = false;
  ServiceTier service_tier = ServiceTier::Standard;
};

enum class Mode { Stochastic, Expected };
const char* mode_name(Mode mode);
std::optional<Mode> mode_from_name(std::string_view name);

struct SimulationSettings {
  int paths = limits::kDefaultPaths;
  std::uint64_t seed = 0;
  Mode mode = Mode::Stochastic;
  // Antithetic variates: paths 2k and 2k+1 share a stream, the second with every
  // normal shock negated (weekly, hourly, token sizes, price trends).
  bool antithetic = false;
  // Workloads' parameters at their stated values on every path, their
  // uncertainty left out (to see how much of a band it makes).
  bool fixed_parameters = false;
};

// The logs a fitted scenario came from (`breakeven ingest -o` writes it): a
// forecast from fewer than kShortHistoryDays days of them says so in every output,
// since its level, growth and week-to-week swings are then mostly assumed.
inline constexpr double kShortHistoryDays = 28;
struct History {
  double days = 0.0;
  std::string logs;  // what they were, e.g. "openai-usage"

  bool is_short() const { return days < kShortHistoryDays; }
};

struct Scenario {
  std::string name;
  std::string description;
  int horizon_months = 0;
  SimulationSettings simulation;
  std::vector<ApiModel> models;  // bundled catalog merged with the file's models
  std::vector<Workload> workloads;
  Eigen::MatrixXd correlation;  // W x W correlation of weekly shocks
  std::vector<Cluster> clusters;
  std::vector<Provisioned> provisioned;
  std::vector<Strategy> strategies;
  int baseline = 0;
  // quality[model or cluster][workload]: a score on the user's own scale.
  std::map<std::string, std::map<std::string, QualityScore>> quality;
  std::optional<History> history;

  int hours() const;
  // Whether a workload has an slo (the run then counts hours in breach).
  bool has_slo() const {
    for (const Workload& w : workloads)
      if (w.slo) return true;
    return false;
  }
  // Whether a stochastic run's paths draw their own parameters (docs/model.md
  // "Parameter uncertainty"): some workload's uncertainty above 0, not fixed.
  bool draws_parameters() const {
    if (simulation.fixed_parameters) return false;
    for (const Workload& w : workloads)
      if (w.rate_uncertainty > 0 || w.growth_uncertainty > 0) return true;
    return false;
  }
  // The name of a leg's model or cluster.
  const std::string& target_name(const RouteLeg& leg) const;
  // Workload w's quality on `route`: a target's score; a split's share-weighted
  // score; a cascade's (docs/model.md "Routes that split and cascade"). None when
  // a leg has no score.
  // Blends of scores blend their means, sds and intervals alike (a split's
  // legs taken as moving together: the cautious sd).
  std::optional<QualityScore> route_quality(int w, const Route& route) const;
  // Whether workload w's min_quality allows a route of this score (none: only
  // when the workload has no min_quality): a mean at least the floor, or with
  // min_quality_probability, P(quality >= floor) at least that (quality.hpp).
  bool meets_quality(int w, const std::optional<QualityScore>& q) const;
  // The same for all of workload w sent to one model or cluster.
  bool route_allowed(int w, const std::string& target) const;
  // "gpt-5-mini", "gpt-5-mini 70% / gpt-5.5 30%", "gpt-5-mini -> gpt-5.5 (20%)".
  std::string route_label(const Route& route) const;
};

}  // namespace breakeven
