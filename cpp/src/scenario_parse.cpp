#include "breakeven/scenario_parse.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <numeric>

#include "breakeven/calendar.hpp"
#include "breakeven/limits.hpp"
#include "breakeven/weight_presets.hpp"
#include "json_field.hpp"
#include "serving_parse.hpp"

namespace breakeven {
namespace {

using detail::Field;
using detail::format_number;
namespace L = limits;
using L::kZ95;  // s = ln(p95 / p50) / z95; s = ln(ratio) / (2 z95)

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// price_changes: [{month, factor}, ...] and price_trend: {monthly, sigma}.
PricePath parse_price_path(const Field& f) {
  PricePath p;
  if (auto c = f.find("price_changes")) {
    c->expect_array();
    c->require(c->size() <= 1000, "at most 1000 price changes");
    for (std::size_t i = 0; i < c->size(); ++i) {
      Field change = c->item(i);
      change.allow_only({"month", "factor", "note"});
      const int month = int(change.at("month").integer(0, L::kMaxHorizonMonths));
      Field factor = change.at("factor");
      const double x = factor.number();
      factor.require(x > 0 && x <= L::kMaxPriceFactor,
                     "must be > 0 and at most " + format_number(L::kMaxPriceFactor) +
                         " (got " + format_number(x) + ")");
      p.changes.push_back({month, x});
    }
    std::stable_sort(p.changes.begin(), p.changes.end(),
                     [](const auto& a, const auto& b) { return a.month < b.month; });
    double log_product = 0.0;
    for (const auto& change : p.changes) {
      log_product += std::log(change.factor);
      c->require(std::abs(log_product) <= std::log(L::kMaxPriceFactor),
                 "the changes compound to a factor of " +
                     format_number(std::exp(log_product)) + " by month " +
                     std::to_string(change.month) + "; allowed 1/" +
                     format_number(L::kMaxPriceFactor) + " to " +
                     format_number(L::kMaxPriceFactor));
    }
  }
  if (auto t = f.find("price_trend")) {
    t->allow_only({"monthly", "sigma"});
    p.has_trend = true;
    Field monthly = t->at("monthly");
    p.trend_monthly = monthly.number();
    monthly.require(p.trend_monthly > -0.5 && p.trend_monthly <= L::kMaxMonthlyTrend,
                    "must be > -0.5 and at most " + format_number(L::kMaxMonthlyTrend) +
                        " (got " + format_number(p.trend_monthly) + ")");
    if (auto s = t->find("sigma")) p.trend_sigma = s->number_in(0, 1);
  }
  return p;
}

double parse_ttl(const Field& f) {
  const double ttl = f.positive();
  f.number_in(0, L::kMaxCacheTtlMinutes);
  return ttl;
}

ApiModel parse_model(const std::string& name, const Field& f) {
  f.allow_only({"input", "output", "cached_input", "cache_write_multiplier",
                "cache_min_tokens", "cache_ttl_minutes", "cache_ttl_tiers",
                "cache_block_tokens", "cache_storage_per_mtok_hour", "batch_discount",
                "provider",
                "source", "as_of", "notes", "price_changes", "price_trend",
                "price_history", "rate_limit", "long_context", "service_tiers",
                "max_input_tokens"});
  ApiModel m;
  m.name = name;
  m.input = f.at("input").number_in(0, L::kMaxPricePerMillion);
  m.output = f.at("output").number_in(0, L::kMaxPricePerMillion);
  if (auto c = f.find("cached_input"); c && !c->is_null())
    m.cached_input = c->number_in(0, L::kMaxPricePerMillion);
  CacheTier& tier = m.cache_tiers.front();
  if (auto c = f.find("cache_write_multiplier")) tier.write_multiplier = c->number_in(0, 100);
  if (auto c = f.find("cache_min_tokens"))
    m.cache_min_tokens = c->number_in(0, L::kMaxTokensPerRequest);
  if (auto c = f.find("cache_block_tokens"))
    m.cache_block_tokens = c->number_in(1, L::kMaxTokensPerRequest);
  if (auto c = f.find("cache_ttl_minutes")) tier.ttl_minutes = parse_ttl(*c);
  if (auto c = f.find("cache_storage_per_mtok_hour"))
    tier.storage_per_mtok_hour = c->number_in(0, L::kMaxPricePerMillion);
  if (auto t = f.find("cache_ttl_tiers"); t && !t->is_null()) {
    t->expect_array();
    t->require(t->size() < std::size_t(L::kMaxCacheTiers),
               "at most " + std::to_string(L::kMaxCacheTiers - 1) +
                   " tiers beside the default");
    for (std::size_t i = 0; i < t->size(); ++i) {
      Field entry = t->item(i);
      entry.allow_only({"ttl_minutes", "write_multiplier", "storage_per_mtok_hour"});
      CacheTier extra;
      Field ttl = entry.at("ttl_minutes");
      extra.ttl_minutes = parse_ttl(ttl);
      for (const CacheTier& known : m.cache_tiers)
        ttl.require(known.ttl_minutes != extra.ttl_minutes,
                    "the model already has a " + format_number(extra.ttl_minutes) +
                        "-minute tier");
      if (auto w = entry.find("write_multiplier"))
        extra.write_multiplier = w->number_in(0, 100);
      if (auto s = entry.find("storage_per_mtok_hour"))
        extra.storage_per_mtok_hour = s->number_in(0, L::kMaxPricePerMillion);
      m.cache_tiers.push_back(extra);
    }
  }
  if (auto c = f.find("batch_discount")) m.batch_discount = c->number_in(0, 1);
  m.price_path = parse_price_path(f);
  if (auto r = f.find("rate_limit"); r && !r->is_null()) {
    r->allow_only({"requests_per_minute", "tokens_per_minute", "fallback"});
    RateLimit limit;
    limit.requests_per_minute =
        r->at("requests_per_minute").number_in(0, L::kMaxRequestsPerHour / 60);
    if (auto t = r->find("tokens_per_minute"); t && !t->is_null())
      limit.tokens_per_minute =
          t->number_in(0, L::kMaxRequestsPerHour / 60 * L::kMaxTokensPerRequest);
    if (auto fb = r->find("fallback"); fb && !fb->is_null()) {
      limit.fallback_name = fb->string();
      limit.path = fb->path();
    }
    m.rate_limit = limit;
  }
  if (auto h = f.find("price_history")) {  // documentation only: dated list prices
    h->expect_array();
    for (std::size_t i = 0; i < h->size(); ++i) {
      Field entry = h->item(i);
      entry.allow_only({"date", "input", "output", "cached_input", "source"});
      entry.at("date").string();
    }
  }
  if (auto c = f.find("long_context"); c && !c->is_null()) {
    c->allow_only({"above_input_tokens", "input", "output", "cached_input"});
    LongContext lc;
    const Field above = c->at("above_input_tokens");
    lc.above_input_tokens = above.positive();
    above.number_in(0, L::kMaxTokensPerRequest);
    lc.input = c->at("input").number_in(0, L::kMaxPricePerMillion);
    lc.output = c->at("output").number_in(0, L::kMaxPricePerMillion);
    // Cached reads above the threshold have their own price where the model has
    // a cached price at all.
    if (m.cached_input)
      lc.cached_input = c->at("cached_input").number_in(0, L::kMaxPricePerMillion);
    else if (auto x = c->find("cached_input"); x && !x->is_null())
      x->fail("the model has no cached_input price");
    m.long_context = lc;
  }
  if (auto t = f.find("service_tiers"); t && !t->is_null()) {
    t->allow_only({"flex", "priority"});
    if (auto x = t->find("flex")) m.flex_multiplier = x->number_in(0, 1);
    if (auto x = t->find("priority")) m.priority_multiplier = x->number_in(1, 100);
  }
  // The context window (documentation: listed by `breakeven models`).
  if (auto c = f.find("max_input_tokens")) c->number_in(1, L::kMaxTokensPerRequest);
  if (auto c = f.find("source")) m.source = c->string();
  if (auto c = f.find("as_of")) m.as_of = c->string();
  return m;
}

// provisioned: {NAME: {price_per_unit_hour, tokens_per_minute_per_unit, units,
// term_months, overflow, source, as_of}}.
Provisioned parse_provisioned(const std::string& name, const Field& f,
                              const std::map<std::string, int>& model_index,
                              const std::vector<ApiModel>& models) {
  f.expect_object();
  f.allow_only({"description", "price_per_unit_hour", "tokens_per_minute_per_unit", "units",
                "term_months", "overflow", "source", "as_of"});
  Provisioned p;
  p.name = name;
  p.price_per_unit_hour = f.at("price_per_unit_hour").number_in(0, L::kMaxGpuPricePerHour);
  const Field tpm = f.at("tokens_per_minute_per_unit");
  p.tokens_per_minute_per_unit = tpm.positive();
  tpm.number_in(0, L::kMaxRequestsPerHour / 60 * L::kMaxTokensPerRequest);
  p.units = int(f.at("units").integer(1, L::kMaxProvisionedUnits));
  if (auto t = f.find("term_months")) p.term_months = int(t->integer(1, L::kMaxHorizonMonths));
  if (auto o = f.find("overflow"); o && !o->is_null()) {
    auto it = model_index.find(o->string());
    o->require(it != model_index.end(), "unknown API model '" + o->string() + "'");
    // The overflow is priced per token without a limit of its own.
    o->require(!models[it->second].rate_limit,
               "'" + o->string() + "' has a rate limit; a provisioned overflow's limit is "
               "not modelled: name a model without one");
    p.overflow_model = it->second;
  }
  if (auto d = f.find("description")) d->string();
  if (auto c = f.find("source")) p.source = c->string();
  if (auto c = f.find("as_of")) p.as_of = c->string();
  return p;
}

TokenSize parse_tokens(const Field& f) {
  if (f.is_number()) return {f.number_in(0, L::kMaxTokensPerRequest), 0.0};
  f.require(f.is_object(), "must be a number, {mean, cv} or {p50, p95}");
  if (f.has("mean") || f.has("cv")) {
    f.allow_only({"mean", "cv"});
    double mean = f.at("mean").number_in(0, L::kMaxTokensPerRequest);
    double cv = f.at("cv").number_in(0, L::kMaxTokenCv);
    return {mean, mean * cv};
  }
  if (f.has("p50") || f.has("p95")) {
    f.allow_only({"p50", "p95"});
    double p50 = f.at("p50").positive();
    f.at("p50").number_in(0, L::kMaxTokensPerRequest);
    Field p95f = f.at("p95");
    double p95 = p95f.number_in(0, L::kMaxTokensPerRequest);
    p95f.require(p95 >= p50, "must be >= p50 (got " + format_number(p95) + " < " +
                                 format_number(p50) + ")");
    // Lognormal with median p50 and 95th percentile p95.
    double sigma = std::log(p95 / p50) / kZ95;
    double mean = p50 * std::exp(0.5 * sigma * sigma);
    double sd = mean * std::sqrt(std::expm1(sigma * sigma));
    p95f.require(mean <= L::kMaxTokensPerRequest && sd <= L::kMaxTokensPerRequest * L::kMaxTokenCv,
                 "p95/p50 = " + format_number(p95 / p50) +
                     " gives a lognormal whose mean or spread exceeds " +
                     format_number(L::kMaxTokensPerRequest) + " tokens per request");
    return {mean, sd};
  }
  f.fail("must be a number, {mean, cv} or {p50, p95}");
}

template <std::size_t N>
std::array<double, N> parse_weights(
    const Field& f, std::optional<std::array<double, N>> (*preset)(std::string_view),
    std::vector<std::string_view> preset_names) {
  std::array<double, N> w{};
  if (f.is_string()) {
    auto p = preset(f.string());
    if (!p) {
      std::string names;
      for (auto n : preset_names) names += (names.empty() ? "" : ", ") + std::string(n);
      f.fail("unknown preset '" + f.string() + "' (presets: " + names + ")");
    }
    w = *p;
  } else {
    f.require(f.is_array() && f.size() == N,
              "must be a list of " + std::to_string(N) + " numbers or a preset name");
    for (std::size_t i = 0; i < N; ++i) w[i] = f.item(i).at_least(0);
  }
  double mean = std::accumulate(w.begin(), w.end(), 0.0) / N;
  f.require(mean > 0, "must not be all zero");
  for (auto& x : w) x /= mean;
  return w;
}

// The largest expected hourly rate over the horizon, R max(d) max(k) (1+g)^H A,
// must be one the engine can sample and price (limits::kMaxRequestsPerHour).
void check_peak_rate(const Workload& w, const Field& f, int horizon_months) {
  const double shape =
      *std::max_element(w.hourly_weights.begin(), w.hourly_weights.end()) *
      *std::max_element(w.weekday_weights.begin(), w.weekday_weights.end()) *
      std::max(1.0, w.bursts.multiplier) /
      (w.activity.switches() ? w.activity.on_share() : 1.0);
  const double log_peak = std::log(std::max(w.requests_per_hour * shape, 1e-300)) +
                          horizon_months * std::max(0.0, std::log1p(w.growth_per_month));
  if (log_peak <= std::log(L::kMaxRequestsPerHour)) return;
  const bool growth_is_why =
      w.growth_per_month > 0 &&
      w.requests_per_hour * shape <= L::kMaxRequestsPerHour;
  const std::string peak = format_number(std::exp(std::min(log_peak, 700.0)));
  (growth_is_why ? f.at("growth_per_month") : f.at("requests"))
      .fail("the expected rate reaches " + peak + " requests per hour within " +
            std::to_string(horizon_months) + " months, above the " +
            format_number(L::kMaxRequestsPerHour) +
            " the engine can sample (peak = rate x largest hour and weekday weights "
            "x burst multiplier / activity's on share x growth)");
}

// A cdf given as [[x, share], ...]: x strictly increasing within (lo, hi], shares
// increasing within (0, 1].
std::vector<std::pair<double, double>> parse_cdf(const Field& f, double lo, double hi,
                                                 bool whole) {
  f.expect_array();
  f.require(f.size() >= 1 && f.size() <= std::size_t(L::kMaxCdfPoints),
            "give 1 to " + std::to_string(L::kMaxCdfPoints) + " [value, share] points");
  std::vector<std::pair<double, double>> out;
  for (std::size_t i = 0; i < f.size(); ++i) {
    Field point = f.item(i);
    point.expect_array();
    point.require(point.size() == 2, "must be [value, share]");
    Field x = point.item(0), share = point.item(1);
    const double value = whole ? double(x.integer(std::llround(lo), std::llround(hi)))
                               : x.number_in(lo, hi);
    const double p = share.number_in(0, 1);
    if (!out.empty()) {
      x.require(value > out.back().first, "values must increase (got " +
                                              format_number(value) + " after " +
                                              format_number(out.back().first) + ")");
      share.require(p >= out.back().second, "shares must not decrease");
    }
    out.push_back({value, p});
  }
  return out;
}

Conversation parse_conversation(const Field& f) {
  f.allow_only({"turns", "gap_minutes", "history_tokens_per_turn", "tokens_per_read"});
  Conversation c;
  Field turns = f.at("turns");
  if (turns.is_number()) {
    c.mean_turns = turns.number_in(1, L::kMaxMeanTurns);
  } else {
    turns.require(turns.is_object(), "must be a mean number of turns or {cdf: [...]}");
    turns.allow_only({"cdf"});
    Field cdf = turns.at("cdf");
    for (const auto& [k, p] : parse_cdf(cdf, 1, L::kMaxTurns, true))
      c.turn_cdf.push_back({int(k), p});
    cdf.require(c.turn_cdf.back().second == 1,
                "the last share must be 1: P(turns <= the largest count)");
  }
  Field gap = f.at("gap_minutes");
  gap.require(gap.is_object(), "must be {p50, p95} (lognormal) or {cdf: [...]}");
  if (gap.has("cdf")) {
    gap.allow_only({"cdf"});
    c.gap_cdf = parse_cdf(gap.at("cdf"), 0, L::kMaxGapMinutes, false);
    gap.at("cdf").require(c.gap_cdf.front().first > 0, "values must be > 0 minutes");
  } else {
    gap.allow_only({"p50", "p95"});
    const double p50 = gap.at("p50").positive();
    gap.at("p50").number_in(0, L::kMaxGapMinutes);
    Field p95f = gap.at("p95");
    const double p95 = p95f.number_in(0, L::kMaxGapMinutes);
    p95f.require(p95 > p50, "must be > p50 (got " + format_number(p95) + " <= " +
                                format_number(p50) + ")");
    c.gap_mu = std::log(p50);
    c.gap_sigma = std::log(p95 / p50) / kZ95;
  }
  c.history_tokens_per_turn =
      f.at("history_tokens_per_turn").number_in(0, L::kMaxTokensPerRequest);
  if (auto r = f.find("tokens_per_read"); r && !r->is_null())
    c.tokens_per_read = r->number_in(0, L::kMaxTokensPerRequest);
  return c;
}

Workload parse_workload(const Field& f, int horizon_months) {
  f.allow_only({"name", "description", "requests", "input_tokens", "prefix_tokens",
                "prefix_variants", "output_tokens", "latency", "hourly_weights",
                "weekday_weights", "growth_per_month", "spikiness", "activity",
                "bursts", "min_quality", "conversation", "uncertainty", "slo"});
  Workload w;
  w.name = f.at("name").name();
  if (auto q = f.find("min_quality")) {
    if (q->is_object()) {  // {floor, probability}: P(quality >= floor) >= probability
      q->allow_only({"floor", "probability"});
      w.min_quality = q->at("floor").number_in(0, L::kMaxQuality);
      Field p = q->at("probability");
      const double chance = p.number_in(0, 1);
      p.require(chance > 0 && chance < 1,
                "must be above 0 and below 1 (got " + format_number(chance) + ")");
      w.min_quality_probability = chance;
    } else {
      w.min_quality = q->number_in(0, L::kMaxQuality);
    }
  }

  Field req = f.at("requests");
  req.allow_only({"per_hour", "per_day", "per_month"});
  req.require(req.size() == 1, "give exactly one of per_hour, per_day, per_month");
  const double max_rate = L::kMaxRequestsPerHour;
  if (auto r = req.find("per_hour")) w.requests_per_hour = r->number_in(0, max_rate);
  if (auto r = req.find("per_day"))
    w.requests_per_hour = r->number_in(0, max_rate * kHoursPerDay) / kHoursPerDay;
  if (auto r = req.find("per_month"))
    w.requests_per_hour = r->number_in(0, max_rate * kHoursPerMonth) / kHoursPerMonth;

  w.input = parse_tokens(f.at("input_tokens"));
  w.output = parse_tokens(f.at("output_tokens"));
  if (auto p = f.find("prefix_tokens")) {
    w.prefix_tokens = p->at_least(0);
    p->require(w.prefix_tokens <= w.input.mean,
               "must be <= the mean of input_tokens (got " +
                   format_number(w.prefix_tokens) + " > " +
                   format_number(w.input.mean) + ")");
  }
  if (auto k = f.find("prefix_variants"))
    w.prefix_variants = int(k->integer(1, L::kMaxPrefixVariants));
  if (auto u = f.find("uncertainty")) {
    u->allow_only({"requests", "growth_per_month"});
    if (auto x = u->find("requests")) w.rate_uncertainty = x->number_in(0, L::kMaxSigma);
    if (auto x = u->find("growth_per_month"))
      w.growth_uncertainty = x->number_in(0, L::kMaxGrowthUncertainty);
  }
  if (auto c = f.find("conversation"); c && !c->is_null()) {
    w.conversation = parse_conversation(*c);
    // The new input of a turn, mean input - P - g E[earlier turns], is not negative.
    const double history = w.conversation->history_tokens_per_turn *
                           w.conversation->mean_earlier_turns();
    c->at("history_tokens_per_turn")
        .require(w.prefix_tokens + history <= w.input.mean,
                 "prefix_tokens + history_tokens_per_turn x the mean number of earlier "
                 "turns (" + format_number(w.prefix_tokens) + " + " +
                     format_number(history) + ") must be <= the mean of input_tokens (" +
                     format_number(w.input.mean) + ")");
  }

  if (auto lat = f.find("latency")) {
    if (lat->is_string()) {
      std::string s = lat->string();
      if (s == "batch") {
        w.latency = Latency::Batch;
        w.deadline_hours = 24;
      } else {
        lat->require(s == "realtime",
                     "must be realtime, batch or {batch: {deadline_hours: N}}");
      }
    } else {
      lat->allow_only({"batch"});
      Field b = lat->at("batch");
      b.allow_only({"deadline_hours"});
      w.latency = Latency::Batch;
      w.deadline_hours = int(b.at("deadline_hours").integer(1, L::kMaxDeadlineHours));
    }
  }
  if (auto slo = f.find("slo")) {
    slo->allow_only({"ttft_p95_ms", "tpot_p95_ms"});
    slo->require(slo->has("ttft_p95_ms") || slo->has("tpot_p95_ms"),
                 "give ttft_p95_ms, tpot_p95_ms or both");
    slo->require(!w.is_batch(),
                 "applies to real-time workloads only (this one is batch)");
    // An absent limit never binds.
    auto limit_s = [&](const char* key) {
      auto x = slo->find(key);
      if (!x) return std::numeric_limits<double>::infinity();
      const double ms = x->number_in(0, L::kMaxSloMs);
      x->require(ms > 0, "must be above 0 ms");
      return ms / 1000.0;
    };
    w.slo = Slo{limit_s("ttft_p95_ms"), limit_s("tpot_p95_ms")};
  }

  w.hourly_weights.fill(1.0);
  w.weekday_weights.fill(1.0);
  if (auto h = f.find("hourly_weights"))
    w.hourly_weights = parse_weights<24>(*h, hourly_preset, hourly_preset_names());
  if (auto d = f.find("weekday_weights"))
    w.weekday_weights = parse_weights<7>(*d, weekday_preset, weekday_preset_names());
  if (auto g = f.find("growth_per_month")) {
    w.growth_per_month = g->number();
    g->require(w.growth_per_month > -1,
               "must be > -1 (got " + format_number(w.growth_per_month) + ")");
  }
  if (auto s = f.find("spikiness")) {
    s->allow_only({"sigma", "weekly_p95_over_p5", "autocorrelation", "hourly_sigma",
                   "hourly_autocorrelation", "minute_dispersion"});
    if (auto x = s->find("minute_dispersion"))
      w.spikiness.minute_dispersion = x->number_in(0, L::kMaxMinuteDispersion);
    s->require(!(s->has("sigma") && s->has("weekly_p95_over_p5")),
               "give at most one of sigma, weekly_p95_over_p5");
    if (auto x = s->find("sigma")) w.spikiness.sigma = x->number_in(0, L::kMaxSigma);
    if (auto x = s->find("weekly_p95_over_p5"))
      w.spikiness.sigma = std::log(x->number_in(1, std::exp(2 * kZ95 * L::kMaxSigma))) / (2 * kZ95);
    if (auto x = s->find("autocorrelation"))
      w.spikiness.autocorrelation = x->number_in(0, 1);
    if (auto x = s->find("hourly_sigma"))
      w.spikiness.hourly_sigma = x->number_in(0, L::kMaxSigma);
    if (auto x = s->find("hourly_autocorrelation")) {
      w.spikiness.hourly_autocorrelation = x->number();
      x->require(w.spikiness.hourly_autocorrelation >= 0 &&
                     w.spikiness.hourly_autocorrelation < 1,
                 "must be in [0, 1) (got " +
                     format_number(w.spikiness.hourly_autocorrelation) + ")");
    }
  }
  if (auto a = f.find("activity")) {
    a->allow_only({"on_days", "off_days"});
    w.activity.on_days = a->at("on_days").number_in(1, L::kMaxActivityDays);
    w.activity.off_days = a->at("off_days").number_in(1, L::kMaxActivityDays);
  }
  if (auto b = f.find("bursts")) {
    b->allow_only({"per_month", "hours", "multiplier"});
    w.bursts.per_month = b->at("per_month").number_in(0, kHoursPerMonth);
    w.bursts.hours = int(b->at("hours").integer(1, kHoursPerMonth));
    w.bursts.multiplier = b->at("multiplier").number_in(0, L::kMaxBurstMultiplier);
  }
  check_peak_rate(w, f, horizon_months);
  return w;
}

Eigen::MatrixXd parse_correlation(const std::optional<Field>& f, int n) {
  Eigen::MatrixXd c = Eigen::MatrixXd::Identity(n, n);
  if (!f) return c;
  if (f->is_number()) {
    double rho = f->number_in(-1, 1);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        if (i != j) c(i, j) = rho;
  } else {
    f->require(f->is_array() && int(f->size()) == n,
               "must be a number or a " + std::to_string(n) + "x" + std::to_string(n) +
                   " matrix in workload order");
    for (int i = 0; i < n; ++i) {
      Field row = f->item(i);
      row.require(row.is_array() && int(row.size()) == n,
                  "must be a list of " + std::to_string(n) + " numbers");
      for (int j = 0; j < n; ++j) c(i, j) = row.item(j).number_in(-1, 1);
    }
    for (int i = 0; i < n; ++i) {
      f->item(i).item(i).require(c(i, i) == 1.0, "diagonal entries must be 1");
      for (int j = 0; j < i; ++j)
        f->item(i).item(j).require(std::abs(c(i, j) - c(j, i)) <= 1e-12,
                                   "matrix must be symmetric (differs from [" +
                                       std::to_string(j) + "][" + std::to_string(i) +
                                       "])");
    }
  }
  double smallest =
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(c).eigenvalues().minCoeff();
  f->require(smallest >= -1e-10,
             "correlation matrix is not positive semidefinite "
             "(smallest eigenvalue " +
                 format_number(smallest) + ")");
  return c;
}

// A GPU offer of the catalog: what a cluster's `offer:` fills in.
struct GpuOffer {
  double on_demand = 0.0;
  std::optional<double> committed;  // per GPU-hour on the offer's term
  int term_months = 12;
  std::optional<double> spot;
};

std::map<std::string, GpuOffer> parse_offers(const Json& catalog) {
  std::map<std::string, GpuOffer> out;
  if (!catalog.contains("gpu_offers")) return out;
  Field offers(catalog.at("gpu_offers"), "catalog.gpu_offers");
  for (const auto& name : offers.keys()) {
    Field o = offers.at(name);
    o.allow_only({"gpu", "provider", "on_demand", "committed", "term_months", "spot",
                  "source", "as_of", "notes"});
    offers.check_name(name);
    GpuOffer offer;
    offer.on_demand = o.at("on_demand").number_in(0, L::kMaxGpuPricePerHour);
    if (auto c = o.find("committed"); c && !c->is_null())
      offer.committed = c->number_in(0, L::kMaxGpuPricePerHour);
    if (auto t = o.find("term_months")) offer.term_months = int(t->integer(1, 120));
    if (auto x = o.find("spot"); x && !x->is_null())
      offer.spot = x->number_in(0, L::kMaxGpuPricePerHour);
    out[name] = offer;
  }
  return out;
}

// A price that the cluster's offer may supply: the field if written, else the
// offer's, else an error naming the field.
double offered_price(const Field& f, std::string_view key, std::optional<double> offer,
                     const std::string& offer_name) {
  if (f.has(key)) return f.at(key).number_in(0, L::kMaxGpuPricePerHour);
  if (offer) return *offer;
  if (offer_name.empty()) f.at(key);  // throws "is required"
  f.at(key).fail("is required: offer '" + offer_name + "' has no such price");
}

Commitment parse_commitment(const Field& f, const GpuOffer* offer,
                            const std::string& offer_name) {
  f.allow_only({"gpus", "price_per_hour", "from_month", "term_months", "renew"});
  Commitment c;
  c.gpus = int(f.at("gpus").integer(1, L::kMaxGpus));
  c.price_per_hour = offered_price(f, "price_per_hour",
                                   offer ? offer->committed : std::nullopt, offer_name);
  if (auto x = f.find("from_month")) c.from_month = int(x->integer(0, L::kMaxHorizonMonths));
  c.term_months = offer ? offer->term_months : 12;
  if (auto x = f.find("term_months")) c.term_months = int(x->integer(1, 120));
  if (auto x = f.find("renew")) c.renew = x->boolean();
  return c;
}

Spot parse_spot(const Field& f, const GpuOffer* offer, const std::string& offer_name) {
  f.allow_only({"gpus", "price_per_hour", "interruptions_per_month", "outage_hours"});
  Spot s;
  s.gpus = int(f.at("gpus").integer(1, L::kMaxGpus));
  s.price_per_hour =
      offered_price(f, "price_per_hour", offer ? offer->spot : std::nullopt, offer_name);
  s.interruptions_per_month =
      f.at("interruptions_per_month").number_in(0, kHoursPerMonth);
  s.outage_hours = int(f.at("outage_hours").integer(1, kHoursPerMonth * 12));
  return s;
}

Cluster parse_cluster(const std::string& name, const Field& f,
                      const std::map<std::string, int>& model_index,
                      const std::map<std::string, GpuOffer>& offers) {
  f.allow_only({"description", "gpu_price_per_hour", "gpus", "prefill_tokens_per_s",
                "decode_tokens_per_s", "serving", "utilization", "prefix_reuse",
                "prefix_cache_tokens", "available_from_month", "overflow", "fixed", "price_changes",
                "price_trend", "offer", "commitment", "spot"});
  Cluster c;
  c.name = name;
  const GpuOffer* offer = nullptr;
  if (auto o = f.find("offer")) {
    c.offer = o->string();
    auto it = offers.find(c.offer);
    if (it == offers.end()) {
      std::vector<std::string> names;
      for (const auto& [n, _] : offers) names.push_back(n);
      o->fail("unknown GPU offer '" + c.offer + "' (offers: " + join(names) + ")");
    }
    offer = &it->second;
  }
  c.gpu_price_per_hour = offered_price(
      f, "gpu_price_per_hour", offer ? std::optional(offer->on_demand) : std::nullopt,
      c.offer);
  c.gpu_price_path = parse_price_path(f);
  Field g = f.at("gpus");
  if (g.is_number()) {
    c.min_gpus = c.max_gpus = int(g.integer(0, L::kMaxGpus));
  } else {
    g.allow_only({"min", "max", "lag_hours", "scale_to"});
    c.autoscaled = true;
    c.min_gpus = int(g.at("min").integer(0, L::kMaxGpus));
    Field mx = g.at("max");
    c.max_gpus = int(mx.integer(1, L::kMaxGpus));
    mx.require(c.max_gpus >= c.min_gpus, "must be >= min (got " +
                                             std::to_string(c.max_gpus) + " < " +
                                             std::to_string(c.min_gpus) + ")");
    if (auto l = g.find("lag_hours")) c.lag_hours = int(l->integer(0, L::kMaxLagHours));
    if (auto t = g.find("scale_to")) {
      const std::string target = t->string();
      t->require(target == "utilization" || target == "slo",
                 "must be utilization or slo (got '" + target + "')");
      c.scale_to_slo = target == "slo";
    }
  }
  // Rates typed per GPU, or (serving:) resolved once the workloads routed here
  // are known (resolve_cluster_serving).
  if (f.has("serving")) {
    for (auto key : {"prefill_tokens_per_s", "decode_tokens_per_s"})
      if (f.has(key))
        f.at(key).fail("give at most one of serving (the rates follow from the serving "
                       "catalog or your bench) and prefill_tokens_per_s/decode_tokens_per_s");
  } else {
    c.prefill_tokens_per_s = f.at("prefill_tokens_per_s")
                                 .number_in(L::kMinTokensPerSecond, L::kMaxTokensPerSecond);
    c.decode_tokens_per_s = f.at("decode_tokens_per_s")
                                .number_in(L::kMinTokensPerSecond, L::kMaxTokensPerSecond);
  }
  if (auto u = f.find("utilization")) {
    c.utilization = u->number();
    u->require(c.utilization > 0 && c.utilization <= 1,
               "must be in (0, 1] (got " + format_number(c.utilization) + ")");
  }
  f.require(!(f.has("prefix_reuse") && f.has("prefix_cache_tokens")),
            "give at most one of prefix_reuse (a share) and prefix_cache_tokens (the "
            "share follows from the workloads)");
  if (auto r = f.find("prefix_reuse")) c.prefix_reuse = r->number_in(0, 1);
  if (auto r = f.find("prefix_cache_tokens"))
    c.prefix_cache_tokens = r->number_in(0, L::kMaxPrefixCacheTokens);
  if (auto a = f.find("available_from_month"))
    c.available_from_month = int(a->integer(0, 100000));
  if (auto o = f.find("overflow"); o && !o->is_null()) {
    auto it = model_index.find(o->string());
    o->require(it != model_index.end(), "unknown API model '" + o->string() + "'");
    c.overflow_model = it->second;
  }
  if (auto x = f.find("commitment")) {
    c.commitment = parse_commitment(*x, offer, c.offer);
    const int r = c.commitment->gpus;
    x->at("gpus").require(r <= c.max_gpus,
                          "must be <= the cluster's " +
                              std::string(c.autoscaled ? "gpus.max" : "gpus") + " (got " +
                              std::to_string(r) + " > " + std::to_string(c.max_gpus) +
                              ")");
    if (x->has("from_month"))
      x->at("from_month")
          .require(c.commitment->from_month >= c.available_from_month,
                   "must be >= available_from_month (" +
                       std::to_string(c.available_from_month) + ")");
    else
      c.commitment->from_month = c.available_from_month;
  }
  if (auto x = f.find("spot")) c.spot = parse_spot(*x, offer, c.offer);
  if (auto fx = f.find("fixed")) {
    fx->allow_only(
        {"setup", "ops_per_month", "staff_fte", "staff_annual_cost", "revalidation"});
    const double most = L::kMaxFixedCost;
    if (auto x = fx->find("setup")) c.fixed.setup = x->number_in(0, most);
    if (auto x = fx->find("ops_per_month")) c.fixed.ops_per_month = x->number_in(0, most);
    if (auto x = fx->find("staff_fte")) c.fixed.staff_fte = x->number_in(0, 1e6);
    if (auto x = fx->find("staff_annual_cost"))
      c.fixed.staff_annual_cost = x->number_in(0, most);
    if (auto r = fx->find("revalidation")) {
      r->allow_only({"every_months", "cost"});
      c.fixed.revalidation_every_months = int(r->at("every_months").integer(1, 100000));
      c.fixed.revalidation_cost = r->at("cost").number_in(0, most);
    }
  }
  return c;
}

// caching: true | false | {ttl_minutes: N, by_workload: {WORKLOAD: N}}. An asked
// TTL must be a tier of the model the workload is routed to.
void parse_caching(const Field& f, const std::vector<Workload>& workloads,
                   const std::vector<ApiModel>& models, Strategy& s) {
  s.cache_ttl_minutes.assign(workloads.size(), 0.0);
  if (f.json().is_boolean()) {
    s.caching = f.boolean();
    return;
  }
  f.require(f.is_object(), "must be true, false or {ttl_minutes, by_workload}");
  f.allow_only({"ttl_minutes", "by_workload"});
  s.caching = true;
  auto check = [&](const Field& ttl_field, int w) {
    const double ttl = parse_ttl(ttl_field);
    for (const RouteLeg& leg : s.routes[w].legs) {
      if (leg.kind != Route::Kind::Api) continue;
      const ApiModel& m = models[leg.index];
      std::string offered;
      bool found = false;
      for (const CacheTier& t : m.cache_tiers) {
        offered += (offered.empty() ? "" : ", ") + format_number(t.ttl_minutes);
        found |= t.ttl_minutes == ttl;
      }
      ttl_field.require(found, "workload '" + workloads[w].name + "' goes to " + m.name +
                                   ", which offers TTLs of " + offered + " minutes (got " +
                                   format_number(ttl) + ")");
    }
    s.cache_ttl_minutes[w] = ttl;
  };
  if (auto t = f.find("ttl_minutes"))
    for (int w = 0; w < int(workloads.size()); ++w)
      if (!f.has("by_workload") || !f.at("by_workload").has(workloads[w].name))
        check(*t, w);
  if (auto by = f.find("by_workload")) {
    by->expect_object();
    for (const auto& key : by->keys()) {
      auto it = std::find_if(workloads.begin(), workloads.end(),
                             [&](const Workload& w) { return w.name == key; });
      if (it == workloads.end())
        by->at(key).fail("unknown workload '" + key + "'");
      check(by->at(key), int(it - workloads.begin()));
    }
  }
}

// A cascade escalates to a model whose requests are never lost: no rate limit, or
// one with a fallback (an escalation is counted where it was first served, so it
// may not be counted lost again).
void check_escalation_target(const Field& f, const ApiModel& strong) {
  f.require(!strong.rate_limit || strong.rate_limit->fallback,
            "a cascade escalates to '" + strong.name + "', whose rate limit turns requests "
            "away: give the limit a fallback");
}

// route: {WORKLOAD: TARGET | {TARGET: share, ...} | {cascade: [CHEAP, STRONG],
// escalate: share | from_quality}} (docs/model.md "Routes that split and cascade").
Route parse_route(const Field& f, const std::map<std::string, Route>& targets,
                  const std::vector<ApiModel>& models) {
  auto resolve = [&](const Field& target) {
    std::string name = target.string();
    auto it = targets.find(name);
    if (it == targets.end()) target.fail("unknown model or cluster '" + name + "'");
    return it->second;
  };
  if (!f.is_object()) return resolve(f);
  const char* forms =
      "a model or cluster, {TARGET: share, ...} or {cascade: [CHEAP, STRONG], escalate}";
  f.require(f.size() > 0, std::string("must be ") + forms + " (got {})");
  Route r;
  if (f.has("cascade")) {
    f.allow_only({"cascade", "escalate"});
    Field legs = f.at("cascade");
    legs.expect_array();
    legs.require(legs.size() == 2, "must name two targets, [CHEAP, STRONG] (got " +
                                       std::to_string(legs.size()) + ")");
    const Route cheap = resolve(legs.item(0));
    const Route strong = resolve(legs.item(1));
    legs.item(1).require(strong.kind == Route::Kind::Api,
                         "a cascade escalates to an API model, not a cluster");
    legs.item(1).require(
        strong.index != cheap.index || cheap.kind != strong.kind,
        "must differ from the first target");
    check_escalation_target(legs.item(1), models[strong.index]);
    Field escalate = f.at("escalate");
    double share = 0.0;
    if (escalate.is_string()) {
      escalate.require(escalate.string() == "from_quality",
                       "must be a share in [0, 1] or from_quality (got '" +
                           escalate.string() + "')");
      r.escalation_from_quality = true;  // the share follows once quality is known
    } else {
      share = escalate.number_in(0, 1);
    }
    r.kind = cheap.kind;
    r.index = cheap.index;
    r.shape = Route::Shape::Cascade;
    r.legs = {{cheap.kind, cheap.index, 1.0, false},
              {strong.kind, strong.index, share, true}};
    return r;
  }
  f.require(f.size() <= std::size_t(L::kMaxRouteLegs),
            "at most " + std::to_string(L::kMaxRouteLegs) + " targets in a split");
  double total = 0.0;
  for (const auto& name : f.keys()) {
    const Field share_field = f.at(name);
    auto it = targets.find(name);
    if (it == targets.end())
      share_field.fail("unknown model or cluster '" + name + "' (a route is " + forms + ")");
    const double share = share_field.number_in(0, 1);
    share_field.require(share > 0, "must be > 0 (got 0): leave the target out");
    r.legs.push_back({it->second.kind, it->second.index, share, false});
    total += share;
  }
  f.require(std::abs(total - 1.0) <= L::kRouteShareTolerance,
            "the shares must add up to 1 (within " + format_number(L::kRouteShareTolerance) +
                "; got " + format_number(total) + ")");
  r.kind = r.legs.front().kind;
  r.index = r.legs.front().index;
  r.shape = r.legs.size() == 1 ? Route::Shape::Single : Route::Shape::Split;
  if (r.legs.size() == 1) r.legs.front().share = 1.0;
  return r;
}

Strategy parse_strategy(const Field& f, const std::vector<Workload>& workloads,
                        const std::map<std::string, Route>& targets,
                        const std::vector<ApiModel>& models) {
  f.allow_only({"name", "description", "route", "caching", "batch_api", "service_tier"});
  Strategy s;
  s.name = f.at("name").name();
  Field route = f.at("route");
  route.expect_object();

  std::vector<std::string> workload_names;
  for (const auto& w : workloads) workload_names.push_back(w.name);
  for (const auto& key : route.keys()) {
    if (key == "default") continue;
    if (std::find(workload_names.begin(), workload_names.end(), key) ==
        workload_names.end())
      route.at(key).fail("unknown workload '" + key +
                         "' (workloads: " + join(workload_names) + ")");
  }
  for (const auto& w : workloads) {
    if (route.has(w.name)) {
      s.routes.push_back(parse_route(route.at(w.name), targets, models));
    } else {
      route.require(
          route.has("default"),
          "needs a default route (no route given for workload '" + w.name + "')");
      s.routes.push_back(parse_route(route.at("default"), targets, models));
    }
  }
  s.cache_ttl_minutes.assign(workloads.size(), 0.0);
  if (auto c = f.find("caching")) parse_caching(*c, workloads, models, s);
  if (auto b = f.find("batch_api")) s.batch_api = b->boolean();
  if (auto t = f.find("service_tier")) {
    const std::string name = t->string();
    if (name == "flex") s.service_tier = ServiceTier::Flex;
    else if (name == "priority") s.service_tier = ServiceTier::Priority;
    else t->require(name == "standard",
                    "must be standard, flex or priority (got '" + name + "')");
    // Every model the routes name sells the tier (a fallback or overflow model
    // that does not is priced at its standard tier).
    for (std::size_t w = 0; w < workloads.size(); ++w)
      for (const RouteLeg& leg : s.routes[w].legs)
        if (leg.kind == Route::Kind::Api)
          t->require(models[leg.index].tier_multiplier(s.service_tier).has_value(),
                     "'" + models[leg.index].name + "' (the route of '" + workloads[w].name +
                         "') does not sell the " + name + " tier (no service_tiers." + name +
                         ")");
  }
  return s;
}

// One score: a number, or an eval's {mean, sd, low, high, level, items}.
QualityScore parse_score(const Field& f) {
  QualityScore q;
  if (!f.is_object()) {
    q.mean = q.low = q.high = f.number_in(0, L::kMaxQuality);
    return q;
  }
  f.allow_only({"mean", "sd", "low", "high", "level", "items"});
  q.mean = f.at("mean").number_in(0, L::kMaxQuality);
  if (auto sd = f.find("sd")) q.sd = sd->number_in(0, L::kMaxQuality);
  q.low = q.high = q.mean;
  if (f.has("low") || f.has("high") || f.has("level")) {
    Field low = f.at("low");
    q.low = low.number_in(0, L::kMaxQuality);
    Field high = f.at("high");
    q.high = high.number_in(0, L::kMaxQuality);
    low.require(q.low <= q.mean, "must be <= mean (got " + format_number(q.low) +
                                     " > " + format_number(q.mean) + ")");
    high.require(q.high >= q.mean, "must be >= mean (got " + format_number(q.high) +
                                       " < " + format_number(q.mean) + ")");
    Field level = f.at("level");
    q.level = level.number_in(0, 1);
    level.require(q.level > 0 && q.level < 1,
                  "must be above 0 and below 1, e.g. 0.95 (got " +
                      format_number(q.level) + ")");
  }
  if (auto n = f.find("items")) n->integer(1, std::numeric_limits<long long>::max());
  return q;
}

// quality: {MODEL_OR_CLUSTER: {WORKLOAD: score}}.
std::map<std::string, std::map<std::string, QualityScore>> parse_quality(
    const Field& f, const std::vector<Workload>& workloads,
    const std::map<std::string, Route>& targets) {
  f.expect_object();
  std::vector<std::string> workload_names;
  for (const auto& w : workloads) workload_names.push_back(w.name);
  std::map<std::string, std::map<std::string, QualityScore>> out;
  for (const auto& target : f.keys()) {
    Field scores = f.at(target);
    if (!targets.count(target))
      scores.fail("unknown model or cluster '" + target + "'");
    scores.expect_object();
    for (const auto& w : scores.keys()) {
      if (std::find(workload_names.begin(), workload_names.end(), w) ==
          workload_names.end())
        scores.at(w).fail("unknown workload '" + w + "' (workloads: " +
                          join(workload_names) + ")");
      out[target][w] = parse_score(scores.at(w));
    }
  }
  return out;
}

// A strategy may not send a workload below its min_quality.
// A cascade's escalated share from quality scores: 1 - q_cheap / q_strong.
void derive_escalations(const Field& f, Strategy& s, const Scenario& sc) {
  for (std::size_t w = 0; w < sc.workloads.size(); ++w) {
    Route& r = s.routes[w];
    if (!r.escalation_from_quality) continue;
    const Field route = f.at("route");
    const Field where = (route.has(sc.workloads[w].name) ? route.at(sc.workloads[w].name)
                                                         : route.at("default"))
                            .at("escalate");
    const std::string& name = sc.workloads[w].name;
    double q[2];
    for (int i = 0; i < 2; ++i) {
      const std::string& target = sc.target_name(r.legs[i]);
      auto it = sc.quality.find(target);
      where.require(it != sc.quality.end() && it->second.count(name),
                    "from_quality needs quality: " + target + ": " + name + " (no score)");
      q[i] = it->second.at(name).mean;
    }
    where.require(q[1] > 0 && q[0] <= q[1],
                  "from_quality needs the second target to score above the first "
                  "for '" + name + "' (got " + format_number(q[0]) + " and " +
                      format_number(q[1]) + ")");
    r.legs[1].share = 1.0 - q[0] / q[1];
  }
}

void check_quality(const Field& f, const Strategy& s, const Scenario& sc) {
  for (std::size_t w = 0; w < sc.workloads.size(); ++w) {
    const Route& r = s.routes[w];
    const std::optional<QualityScore> q = sc.route_quality(int(w), r);
    if (sc.meets_quality(int(w), q)) continue;
    const Field route = f.at("route");
    const Field where = route.has(sc.workloads[w].name) ? route.at(sc.workloads[w].name)
                                                        : route.at("default");
    const Workload& wl = sc.workloads[w];
    std::string needs = "quality >= " + format_number(*wl.min_quality);
    std::string has = r.shape == Route::Shape::Single
                          ? "has no score for it in quality:"
                          : "has a target without a score for it in quality:";
    if (q) {
      has = "scores " + format_number(q->mean);
      if (wl.min_quality_probability) {
        needs = "P(" + needs + ") >= " + format_number(*wl.min_quality_probability);
        const double chance = probability_at_least(*q, *wl.min_quality);
        has += " (sd " + format_number(q->sd) + ": P = " +
               format_number(std::round(chance * 1000) / 1000) + ")";
      }
    }
    where.fail("workload '" + wl.name + "' needs " + needs + " and '" + sc.route_label(r) +
               "' " + has);
  }
}

void merge_fields(Json& into, const Json& from) {
  for (const auto& [k, v] : from.items()) into[k] = v;
}

// Rate-limit fallbacks name models that exist, and never lead back to where they
// started.
void resolve_fallbacks(std::vector<ApiModel>& models,
                       const std::map<std::string, int>& model_index) {
  for (ApiModel& m : models) {
    if (!m.rate_limit || m.rate_limit->fallback_name.empty()) continue;
    const Json name(m.rate_limit->fallback_name);
    const Field fb(name, m.rate_limit->path);
    auto it = model_index.find(m.rate_limit->fallback_name);
    fb.require(it != model_index.end(),
               "unknown API model '" + m.rate_limit->fallback_name + "'");
    m.rate_limit->fallback = it->second;
  }
  for (const ApiModel& start : models) {
    std::string chain = start.name;
    const ApiModel* at = &start;
    for (std::size_t steps = 0; at->rate_limit && at->rate_limit->fallback; ++steps) {
      at = &models[*at->rate_limit->fallback];
      chain += " -> " + at->name;
      if (at == &start || steps > models.size()) {
        const Json name(start.rate_limit->fallback_name);
        Field(name, start.rate_limit->path).fail("fallback cycle: " + chain);
      }
    }
  }
}

// A cluster's serving: sized for the longest requests (mean input + mean output)
// of the workloads some strategy routes to it (all workloads when none does).
void resolve_cluster_serving(const Field& f, Cluster& c, const Scenario& sc,
                             const ServingCatalog& catalog) {
  auto field = f.find("serving");
  if (!field) return;
  const int index = int(&c - sc.clusters.data());
  double routed = 0.0, any = 0.0;
  for (std::size_t w = 0; w < sc.workloads.size(); ++w) {
    const double context = sc.workloads[w].input.mean + sc.workloads[w].output.mean;
    any = std::max(any, context);
    for (const Strategy& s : sc.strategies)
      if (s.routes[w].kind == Route::Kind::Cluster && s.routes[w].index == index)
        routed = std::max(routed, context);
  }
  Serving serving = detail::resolve_serving(*field, catalog, routed > 0 ? routed : any);
  c.prefill_tokens_per_s = serving.rates.prefill;
  c.decode_tokens_per_s = serving.rates.decode;
  c.replica_gpus = serving.gpus_per_replica;
  c.serving = std::move(serving);
  detail::check_whole_replicas(f, c);
}

}  // namespace

const char* mode_name(Mode mode) {
  return mode == Mode::Expected ? "expected" : "stochastic";
}

std::optional<Mode> mode_from_name(std::string_view name) {
  if (name == "stochastic") return Mode::Stochastic;
  if (name == "expected") return Mode::Expected;
  return std::nullopt;
}

double PricePath::factor(int m, double r) const {
  double f = 1.0;
  for (const Change& c : changes) {
    if (c.month > m) break;
    f *= c.factor;
  }
  if (has_trend) f *= std::pow(1.0 + r, m);
  return f;
}

double FixedCosts::in_month(int m) const {
  double cost = ops_per_month + staff_fte * staff_annual_cost / 12.0;
  if (m == 0) cost += setup;
  if (revalidation_every_months > 0 && m > 0 && m % revalidation_every_months == 0)
    cost += revalidation_cost;
  return cost;
}

int Scenario::hours() const { return horizon_months * kHoursPerMonth; }

const std::string& Scenario::target_name(const RouteLeg& leg) const {
  switch (leg.kind) {
    case RouteLeg::Kind::Api: return models[std::size_t(leg.index)].name;
    case RouteLeg::Kind::Cluster: return clusters[std::size_t(leg.index)].name;
    default: return provisioned[std::size_t(leg.index)].name;
  }
}

const char* service_tier_name(ServiceTier tier) {
  return tier == ServiceTier::Flex ? "flex" : tier == ServiceTier::Priority ? "priority"
                                                                             : "standard";
}

std::optional<QualityScore> Scenario::route_quality(int w, const Route& route) const {
  const std::string& name = workloads[std::size_t(w)].name;
  auto score = [&](const RouteLeg& leg) -> std::optional<QualityScore> {
    auto it = quality.find(target_name(leg));
    if (it == quality.end()) return std::nullopt;
    auto s = it->second.find(name);
    if (s == it->second.end()) return std::nullopt;
    return s->second;
  };
  // sum of share x score, field by field; an interval only where all legs give
  // one at the same level.
  auto blend = [](const std::vector<std::pair<double, QualityScore>>& parts) {
    QualityScore q;
    q.level = parts.front().second.level;
    for (const auto& [share, s] : parts) {
      q.mean += share * s.mean;
      q.sd += share * s.sd;
      q.low += share * s.low;
      q.high += share * s.high;
      if (s.level != q.level) q.level = 0.0;
    }
    if (q.level == 0.0) q.low = q.high = 0.0;
    return q;
  };
  if (route.shape == Route::Shape::Cascade) {
    const auto cheap = score(route.legs[0]), strong = score(route.legs[1]);
    if (!cheap || !strong) return std::nullopt;
    // Derived: the escalations are taken to be the cheap model's failures, so the
    // cascade answers as well as the strong model. Stated: a random share gets the
    // strong model's answer (a floor; a good verifier does better).
    if (route.escalation_from_quality) return *strong;
    const double e = route.legs[1].share;
    return blend({{1.0 - e, *cheap}, {e, *strong}});
  }
  std::vector<std::pair<double, QualityScore>> parts;
  for (const RouteLeg& leg : route.legs) {
    const auto s = score(leg);
    if (!s) return std::nullopt;
    parts.emplace_back(leg.share, *s);
  }
  return blend(parts);
}

std::string Scenario::route_label(const Route& route) const {
  auto percent = [](double share) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g%%", 100.0 * share);
    return std::string(buf);
  };
  if (route.shape == Route::Shape::Single) return target_name(route.legs.front());
  if (route.shape == Route::Shape::Cascade)
    return target_name(route.legs[0]) + " -> " + target_name(route.legs[1]) + " (" +
           percent(route.legs[1].share) + ")";
  std::string out;
  for (const RouteLeg& leg : route.legs)
    out += (out.empty() ? "" : " / ") + target_name(leg) + " " + percent(leg.share);
  return out;
}

bool Scenario::meets_quality(int w, const std::optional<QualityScore>& q) const {
  const Workload& wl = workloads[std::size_t(w)];
  if (!wl.min_quality) return true;
  if (!q) return false;
  if (!wl.min_quality_probability) return q->mean >= *wl.min_quality;
  return probability_at_least(*q, *wl.min_quality) >= *wl.min_quality_probability;
}

bool Scenario::route_allowed(int w, const std::string& target) const {
  auto it = quality.find(target);
  if (it == quality.end()) return meets_quality(w, std::nullopt);
  auto score = it->second.find(workloads[std::size_t(w)].name);
  return meets_quality(w, score == it->second.end() ? std::nullopt
                                                    : std::optional(score->second));
}

std::vector<ApiModel> parse_catalog(const Json& catalog) {
  Field root(catalog, "catalog");
  root.allow_only({"version", "currency", "unit", "models", "gpu_offers",
                   "price_trend_assumption"});
  Field models = root.at("models");
  std::vector<ApiModel> out;
  models.require(models.size() <= std::size_t(L::kMaxModels),
                 "at most " + std::to_string(L::kMaxModels) + " models");
  for (const auto& name : models.keys()) {
    models.at(name).check_name(name);
    out.push_back(parse_model(name, models.at(name)));
  }
  return out;
}

Scenario parse_scenario(const Json& scenario, const Json& catalog, const Json& serving) {
  Field root(scenario, "");
  root.require(root.is_object(), "a scenario must be a mapping of fields");
  root.allow_only({"version", "name", "description", "horizon_months", "simulation",
                   "models", "workloads", "correlation", "clusters", "provisioned",
                   "strategies", "baseline", "expect", "quality", "history", "catalog"});
  // A path to the pricing catalog, read by the loader (relative to the scenario
  // file) and handed over as `catalog`: here only its form is checked.
  if (auto c = root.find("catalog")) c->name();
  if (auto v = root.find("version")) v->require(v->integer(1, 1) == 1, "must be 1");

  Scenario sc;
  sc.name = root.at("name").name();
  if (auto d = root.find("description")) sc.description = d->string();
  sc.horizon_months = int(root.at("horizon_months").integer(1, L::kMaxHorizonMonths));

  if (auto h = root.find("history")) {
    h->allow_only({"days", "logs"});
    History history;
    history.days = h->at("days").number_in(1.0 / 24, L::kMaxHistoryDays);
    if (auto l = h->find("logs")) history.logs = l->string();
    sc.history = history;
  }

  if (auto sim = root.find("simulation")) {
    sim->allow_only({"paths", "seed", "mode", "antithetic", "fixed_parameters"});
    if (auto a = sim->find("antithetic")) sc.simulation.antithetic = a->boolean();
    if (auto x = sim->find("fixed_parameters")) sc.simulation.fixed_parameters = x->boolean();
    if (auto p = sim->find("paths"))
      sc.simulation.paths = int(p->integer(1, L::kMaxPaths));
    if (auto s = sim->find("seed")) sc.simulation.seed = s->seed();
    if (auto m = sim->find("mode")) {
      auto mode = mode_from_name(m->string());
      m->require(mode.has_value(), "must be stochastic or expected");
      sc.simulation.mode = *mode;
    }
  }

  const std::map<std::string, GpuOffer> offers = parse_offers(catalog);
  const ServingCatalog serving_catalog = parse_serving_catalog(serving);
  // Catalog first, then the file's models merged over it by name.
  Json merged_models =
      catalog.contains("models") ? catalog.at("models") : Json::object();
  sc.models = parse_catalog(catalog);
  if (auto ms = root.find("models")) {
    ms->expect_object();
    ms->require(ms->size() <= std::size_t(L::kMaxModels),
                "at most " + std::to_string(L::kMaxModels) + " models");
    for (const auto& name : ms->keys()) {
      Field entry = ms->at(name);
      entry.check_name(name);
      entry.expect_object();
      Json merged = merged_models.contains(name) ? merged_models[name] : Json::object();
      merge_fields(merged, entry.json());
      ApiModel m = parse_model(name, Field(merged, entry.path()));
      auto it = std::find_if(sc.models.begin(), sc.models.end(),
                             [&](const ApiModel& x) { return x.name == name; });
      if (it != sc.models.end())
        *it = m;
      else
        sc.models.push_back(m);
    }
  }
  std::map<std::string, int> model_index;
  for (int i = 0; i < int(sc.models.size()); ++i) model_index[sc.models[i].name] = i;
  resolve_fallbacks(sc.models, model_index);

  Field workloads = root.at("workloads");
  workloads.expect_array();
  workloads.require(workloads.size() > 0, "must list at least one workload");
  workloads.require(workloads.size() <= std::size_t(L::kMaxWorkloads),
                    "at most " + std::to_string(L::kMaxWorkloads) + " workloads (got " +
                        std::to_string(workloads.size()) + ")");
  for (std::size_t i = 0; i < workloads.size(); ++i) {
    Workload w = parse_workload(workloads.item(i), sc.horizon_months);
    for (const auto& other : sc.workloads)
      if (other.name == w.name)
        workloads.item(i).at("name").fail("duplicate workload name '" + w.name + "'");
    sc.workloads.push_back(std::move(w));
  }
  sc.correlation =
      parse_correlation(root.find("correlation"), int(sc.workloads.size()));

  std::map<std::string, Route> targets;
  for (const auto& [name, i] : model_index) targets[name] = Route::single(Route::Kind::Api, i);
  if (auto cs = root.find("clusters")) {
    cs->expect_object();
    cs->require(cs->size() <= std::size_t(L::kMaxClusters),
                "at most " + std::to_string(L::kMaxClusters) + " clusters");
    for (const auto& name : cs->keys()) {
      cs->at(name).check_name(name);
      if (model_index.count(name))
        cs->at(name).fail("cluster name '" + name + "' is also an API model's name");
      sc.clusters.push_back(parse_cluster(name, cs->at(name), model_index, offers));
      if (sc.clusters.back().scale_to_slo && !sc.has_slo())
        cs->at(name).at("gpus").at("scale_to").fail(
            "slo needs a workload with an slo (no workload states one)");
      targets[name] = Route::single(Route::Kind::Cluster, int(sc.clusters.size()) - 1);
    }
  }
  if (auto ps = root.find("provisioned")) {
    ps->expect_object();
    ps->require(ps->size() <= std::size_t(L::kMaxClusters),
                "at most " + std::to_string(L::kMaxClusters) + " provisioned deployments");
    for (const auto& name : ps->keys()) {
      ps->at(name).check_name(name);
      if (targets.count(name))
        ps->at(name).fail("provisioned name '" + name +
                          "' is also an API model's or a cluster's name");
      sc.provisioned.push_back(parse_provisioned(name, ps->at(name), model_index, sc.models));
      targets[name] =
          Route::single(Route::Kind::Provisioned, int(sc.provisioned.size()) - 1);
    }
  }

  if (auto q = root.find("quality")) sc.quality = parse_quality(*q, sc.workloads, targets);

  Field strategies = root.at("strategies");
  strategies.expect_array();
  strategies.require(strategies.size() > 0, "must list at least one strategy");
  strategies.require(strategies.size() <= std::size_t(L::kMaxStrategies),
                     "at most " + std::to_string(L::kMaxStrategies) + " strategies");
  for (std::size_t i = 0; i < strategies.size(); ++i) {
    Strategy s = parse_strategy(strategies.item(i), sc.workloads, targets, sc.models);
    derive_escalations(strategies.item(i), s, sc);
    check_quality(strategies.item(i), s, sc);
    for (const auto& other : sc.strategies)
      if (other.name == s.name)
        strategies.item(i).at("name").fail("duplicate strategy name '" + s.name + "'");
    sc.strategies.push_back(std::move(s));
  }

  if (auto cs = root.find("clusters"))
    for (Cluster& c : sc.clusters)
      resolve_cluster_serving(cs->at(c.name), c, sc, serving_catalog);

  // Planning assertions are evaluated by the front end after a run; the engine
  // only checks their form.
  if (auto e = root.find("expect")) {
    e->expect_array();
    e->require(e->size() <= std::size_t(L::kMaxExpectations),
               "at most " + std::to_string(L::kMaxExpectations) + " expectations");
    for (std::size_t i = 0; i < e->size(); ++i) e->item(i).string();
  }

  if (auto b = root.find("baseline")) {
    std::string name = b->string();
    std::vector<std::string> names;
    for (const auto& s : sc.strategies) names.push_back(s.name);
    auto it = std::find(names.begin(), names.end(), name);
    b->require(it != names.end(),
               "unknown strategy '" + name + "' (strategies: " + join(names) + ")");
    sc.baseline = int(it - names.begin());
  }
  return sc;
}

}  // namespace breakeven
