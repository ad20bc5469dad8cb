#include "breakeven/scenario_json.hpp"

#include <cmath>

namespace breakeven {
namespace {

Json tokens_json(const TokenSize& t) { return {{"mean", t.mean}, {"sd", t.sd}}; }

Json price_path_json(const PricePath& p) {
  Json changes = Json::array();
  for (const auto& c : p.changes) changes.push_back({{"month", c.month}, {"factor", c.factor}});
  return {{"price_changes", changes},
          {"price_trend", p.has_trend ? Json{{"monthly", p.trend_monthly},
                                             {"sigma", p.trend_sigma}}
                                      : Json(nullptr)}};
}

// The tiers beside the default.
Json cache_tiers_json(const ApiModel& m) {
  Json out = Json::array();
  for (std::size_t i = 1; i < m.cache_tiers.size(); ++i)
    out.push_back({{"ttl_minutes", m.cache_tiers[i].ttl_minutes},
                   {"write_multiplier", m.cache_tiers[i].write_multiplier},
                   {"storage_per_mtok_hour", m.cache_tiers[i].storage_per_mtok_hour}});
  return out;
}

Json conversation_json(const std::optional<Conversation>& c) {
  if (!c) return nullptr;
  Json turns = c->turn_cdf.empty() ? Json(c->mean_turns) : Json{{"cdf", c->turn_cdf}};
  Json gap = c->gap_cdf.empty() ? Json{{"mu", c->gap_mu}, {"sigma", c->gap_sigma}}
                                : Json{{"cdf", c->gap_cdf}};
  return {{"turns", turns},
          {"mean_turns", c->expected_turns()},
          {"mean_earlier_turns", c->mean_earlier_turns()},
          {"gap_minutes", gap},
          {"history_tokens_per_turn", c->history_tokens_per_turn},
          {"tokens_per_read", c->tokens_per_read ? Json(*c->tokens_per_read) : Json(nullptr)}};
}

}  // namespace

Json serving_json(const Serving& v) {
  return {{"model", v.model},
          {"gpu", v.gpu},
          {"precision", v.precision},
          {"engine", v.engine.empty() ? Json(nullptr) : Json(v.engine)},
          {"basis", v.basis},
          {"gpus_per_replica", v.gpus_per_replica},
          {"concurrency", v.concurrency},
          {"context_tokens", v.context_tokens},
          {"weights_gb", v.memory.weights_gb},
          {"kv_cache_gb", v.memory.kv_gb},
          {"usable_gb", v.usable_gb},
          {"prefill_calibration", v.calibration.prefill},
          {"decode_calibration", v.calibration.decode},
          {"prefill_tokens_per_s_per_replica", v.rates.prefill * v.gpus_per_replica},
          {"decode_tokens_per_s_per_replica", v.rates.decode * v.gpus_per_replica},
          {"source", v.source},
          {"as_of", v.as_of},
          {"curve", v.curve}};
}

Json model_json(const ApiModel& m) {
  return {{"input", m.input},
          {"output", m.output},
          {"cached_input", m.cached_input ? Json(*m.cached_input) : Json(nullptr)},
          {"cache_write_multiplier", m.cache_tiers.front().write_multiplier},
          {"cache_min_tokens", m.cache_min_tokens},
          {"cache_ttl_minutes", m.cache_tiers.front().ttl_minutes},
          {"cache_storage_per_mtok_hour", m.cache_tiers.front().storage_per_mtok_hour},
          {"cache_ttl_tiers", cache_tiers_json(m)},
          {"cache_block_tokens", m.cache_block_tokens},
          {"batch_discount", m.batch_discount},
          {"price_path", price_path_json(m.price_path)},
          {"rate_limit", m.rate_limit ? Json{{"requests_per_minute",
                                              m.rate_limit->requests_per_minute},
                                             {"tokens_per_minute",
                                              m.rate_limit->tokens_per_minute
                                                  ? Json(*m.rate_limit->tokens_per_minute)
                                                  : Json(nullptr)},
                                             {"fallback", m.rate_limit->fallback_name.empty()
                                                              ? Json(nullptr)
                                                              : Json(m.rate_limit->fallback_name)}}
                                      : Json(nullptr)},
          {"long_context",
           m.long_context
               ? Json{{"above_input_tokens", m.long_context->above_input_tokens},
                      {"input", m.long_context->input},
                      {"output", m.long_context->output},
                      {"cached_input", m.long_context->cached_input
                                           ? Json(*m.long_context->cached_input)
                                           : Json(nullptr)}}
               : Json(nullptr)},
          {"service_tiers",
           {{"flex", m.flex_multiplier ? Json(*m.flex_multiplier) : Json(nullptr)},
            {"priority",
             m.priority_multiplier ? Json(*m.priority_multiplier) : Json(nullptr)}}},
          {"source", m.source},
          {"as_of", m.as_of}};
}


namespace {

// The TTL each workload asks, by name (null: the model's default tier).
Json cache_ttls_json(const Strategy& s, const Scenario& sc) {
  Json out = Json::object();
  for (std::size_t w = 0; w < sc.workloads.size(); ++w)
    out[sc.workloads[w].name] =
        s.cache_ttl_minutes[w] > 0 ? Json(s.cache_ttl_minutes[w]) : Json(nullptr);
  return out;
}

// An slo's limits in ms as written; an absent one is null. Only workloads with an
// slo carry the key, so scenarios without one resolve as before.
Json slo_json(const Slo& slo) {
  auto ms = [](double s) {
    return std::isfinite(s) ? Json(s * 1000.0) : Json(nullptr);
  };
  return {{"ttft_p95_ms", ms(slo.ttft_p95_s)}, {"tpot_p95_ms", ms(slo.tpot_p95_s)}};
}

Json workload_json(const Workload& w) {
  Json out = {{"name", w.name},
          {"requests_per_hour", w.requests_per_hour},
          {"input_tokens", tokens_json(w.input)},
          {"output_tokens", tokens_json(w.output)},
          {"prefix_tokens", w.prefix_tokens},
          {"prefix_variants", w.prefix_variants},
          {"conversation", conversation_json(w.conversation)},
          {"uncertainty",
           {{"requests", w.rate_uncertainty}, {"growth_per_month", w.growth_uncertainty}}},
          {"latency", w.is_batch() ? "batch" : "realtime"},
          {"deadline_hours", w.deadline_hours},
          {"hourly_weights", w.hourly_weights},
          {"weekday_weights", w.weekday_weights},
          {"growth_per_month", w.growth_per_month},
          {"spikiness",
           {{"sigma", w.spikiness.sigma},
            {"autocorrelation", w.spikiness.autocorrelation},
            {"hourly_sigma", w.spikiness.hourly_sigma},
            {"hourly_autocorrelation", w.spikiness.hourly_autocorrelation},
            {"minute_dispersion", w.spikiness.minute_dispersion}}},
          {"activity", w.activity.switches()
                           ? Json{{"on_days", w.activity.on_days},
                                  {"off_days", w.activity.off_days}}
                           : Json(nullptr)},
          {"bursts",
           {{"per_month", w.bursts.per_month},
            {"hours", w.bursts.hours},
            {"multiplier", w.bursts.multiplier}}},
          {"min_quality", w.min_quality ? Json(*w.min_quality) : Json(nullptr)},
          {"min_quality_probability", w.min_quality_probability
                                          ? Json(*w.min_quality_probability)
                                          : Json(nullptr)}};
  if (w.slo) out["slo"] = slo_json(*w.slo);
  return out;
}

Json provisioned_json(const Provisioned& p, const Scenario& sc) {
  return {{"price_per_unit_hour", p.price_per_unit_hour},
          {"tokens_per_minute_per_unit", p.tokens_per_minute_per_unit},
          {"units", p.units},
          {"term_months", p.term_months},
          {"overflow", p.overflow_model ? Json(sc.models[*p.overflow_model].name)
                                        : Json(nullptr)},
          {"source", p.source},
          {"as_of", p.as_of}};
}

Json cluster_json(const Cluster& c, const Scenario& sc) {
  const Json commitment =
      c.commitment ? Json{{"gpus", c.commitment->gpus},
                          {"price_per_hour", c.commitment->price_per_hour},
                          {"from_month", c.commitment->from_month},
                          {"term_months", c.commitment->term_months},
                          {"renew", c.commitment->renew}}
                   : Json(nullptr);
  const Json spot = c.spot ? Json{{"gpus", c.spot->gpus},
                                  {"price_per_hour", c.spot->price_per_hour},
                                  {"interruptions_per_month",
                                   c.spot->interruptions_per_month},
                                  {"outage_hours", c.spot->outage_hours}}
                           : Json(nullptr);
  return {{"offer", c.offer.empty() ? Json(nullptr) : Json(c.offer)},
          {"serving", c.serving ? serving_json(*c.serving) : Json(nullptr)},
          {"replica_gpus", c.replica_gpus},
          {"gpu_price_per_hour", c.gpu_price_per_hour},
          {"commitment", commitment},
          {"spot", spot},
          {"gpu_price_path", price_path_json(c.gpu_price_path)},
          {"gpus",
           {{"autoscaled", c.autoscaled},
            {"min", c.min_gpus},
            {"max", c.max_gpus},
            {"lag_hours", c.lag_hours},
            {"scale_to", c.scale_to_slo ? "slo" : "utilization"}}},
          {"prefill_tokens_per_s", c.prefill_tokens_per_s},
          {"decode_tokens_per_s", c.decode_tokens_per_s},
          {"utilization", c.utilization},
          {"prefix_reuse", c.prefix_reuse},
          {"prefix_cache_tokens", c.prefix_cache_tokens ? Json(*c.prefix_cache_tokens) : Json(nullptr)},
          {"available_from_month", c.available_from_month},
          {"overflow",
           c.overflow_model ? Json(sc.models[*c.overflow_model].name) : Json(nullptr)},
          {"fixed",
           {{"setup", c.fixed.setup},
            {"ops_per_month", c.fixed.ops_per_month},
            {"staff_fte", c.fixed.staff_fte},
            {"staff_annual_cost", c.fixed.staff_annual_cost},
            {"revalidation_every_months", c.fixed.revalidation_every_months},
            {"revalidation_cost", c.fixed.revalidation_cost}}}};
}

}  // namespace

Json resolved_scenario_json(const Scenario& sc) {
  Json out = Json::object();
  out["name"] = sc.name;
  out["description"] = sc.description;
  out["horizon_months"] = sc.horizon_months;
  out["history"] = sc.history ? Json{{"days", sc.history->days},
                                     {"logs", sc.history->logs},
                                     {"short", sc.history->is_short()}}
                              : Json(nullptr);
  out["simulation"] = {
      {"paths", sc.simulation.paths},
      {"seed", sc.simulation.seed},
      {"mode", mode_name(sc.simulation.mode)},
      {"antithetic", sc.simulation.antithetic},
      {"fixed_parameters", sc.simulation.fixed_parameters}};
  Json models = Json::object();
  for (const auto& m : sc.models) models[m.name] = model_json(m);
  out["models"] = models;
  Json workloads = Json::array();
  for (const auto& w : sc.workloads) workloads.push_back(workload_json(w));
  out["workloads"] = workloads;
  Json corr = Json::array();
  for (int i = 0; i < sc.correlation.rows(); ++i) {
    Json row = Json::array();
    for (int j = 0; j < sc.correlation.cols(); ++j) row.push_back(sc.correlation(i, j));
    corr.push_back(row);
  }
  out["correlation"] = corr;
  Json clusters = Json::object();
  for (const auto& c : sc.clusters) clusters[c.name] = cluster_json(c, sc);
  out["clusters"] = clusters;
  Json provisioned = Json::object();
  for (const auto& p : sc.provisioned) provisioned[p.name] = provisioned_json(p, sc);
  out["provisioned"] = provisioned;
  Json strategies = Json::array();
  for (const auto& s : sc.strategies) {
    // route: each workload's route as a label (a target's name for one target);
    // route_legs: where its shares go; route_quality and route_quality_sd: its
    // score's mean and sd (null: none).
    Json route = Json::object(), legs = Json::object(), quality = Json::object(),
         quality_sd = Json::object();
    for (std::size_t w = 0; w < sc.workloads.size(); ++w) {
      const Route& r = s.routes[w];
      const std::string& name = sc.workloads[w].name;
      route[name] = sc.route_label(r);
      Json parts = Json::array();
      for (const RouteLeg& leg : r.legs)
        parts.push_back({{"target", sc.target_name(leg)},
                         {"share", leg.share},
                         {"escalation", leg.escalation}});
      legs[name] = parts;
      const std::optional<QualityScore> q = sc.route_quality(int(w), r);
      quality[name] = q ? Json(q->mean) : Json(nullptr);
      quality_sd[name] = q ? Json(q->sd) : Json(nullptr);
    }
    strategies.push_back({{"name", s.name},
                          {"route", route},
                          {"route_legs", legs},
                          {"route_quality", quality},
                          {"route_quality_sd", quality_sd},
                          {"caching", s.caching},
                          {"cache_ttl_minutes", cache_ttls_json(s, sc)},
                          {"batch_api", s.batch_api},
                          {"service_tier", service_tier_name(s.service_tier)}});
  }
  out["strategies"] = strategies;
  out["baseline"] = sc.strategies[sc.baseline].name;
  Json quality = Json::object();
  for (const auto& [target, scores] : sc.quality)
    for (const auto& [workload, q] : scores) {
      const bool interval = q.level > 0;  // null low, high, level: a plain score
      quality[target][workload] = {{"mean", q.mean}, {"sd", q.sd},
                                   {"low", interval ? Json(q.low) : Json(nullptr)},
                                   {"high", interval ? Json(q.high) : Json(nullptr)},
                                   {"level", interval ? Json(q.level) : Json(nullptr)}};
    }
  out["quality"] = quality;
  return out;
}

}  // namespace breakeven
