#include "breakeven/strategy.hpp"

#include <algorithm>

#include "breakeven/calendar.hpp"
#include "breakeven/minute_limits.hpp"
#include "breakeven/pricing.hpp"

namespace breakeven {

StrategyCoster::StrategyCoster(const Scenario& scenario, int strategy,
                               const SloCeilings& slo)
    : scenario_(&scenario), strategy_(&scenario.strategies[strategy]) {
  const auto& models = scenario.models;
  const auto& workloads = scenario.workloads;
  // API legs without a rate limit: priced a month at once.
  for (int w = 0; w < int(workloads.size()); ++w)
    for (const RouteLeg& leg : strategy_->routes[w].legs)
      if (leg.kind == Route::Kind::Api && !models[leg.index].rate_limit)
        direct_.push_back(
            {w, leg.index, leg.share, !leg.escalation, pricer(w, models[leg.index])});
  // Rate-limited models this strategy sends to: the directly routed workloads,
  // real-time ones first, each group in file order.
  std::vector<int> limited_of(models.size(), -1);
  auto limited = [&](int model) -> LimitedModel& {
    if (limited_of[model] < 0) {
      const RateLimit& r = *models[model].rate_limit;
      limited_of[model] = int(limited_.size());
      LimitedModel& l = limited_.emplace_back();
      l.model = model;
      l.per_hour = r.per_hour();
      l.fallback = r.fallback.value_or(-1);
      l.tokens_per_minute = r.tokens_per_minute;
      l.by_minute = r.tokens_per_minute.has_value();
    }
    return limited_[limited_of[model]];
  };
  for (bool batch : {false, true})
    for (int w = 0; w < int(workloads.size()); ++w)
      for (const RouteLeg& leg : strategy_->routes[w].legs) {
        if (leg.kind != Route::Kind::Api || !models[leg.index].rate_limit ||
            workloads[w].is_batch() != batch)
          continue;
        LimitedModel& l = limited(leg.index);
        l.direct.push_back(w);
        l.share.push_back(leg.share);
        l.counted.push_back(!leg.escalation);
        if (!batch) {
          ++l.realtime;
          l.by_minute |= workloads[w].spikiness.minute_dispersion > 0;
        }

        l.price.push_back(pricer(w, models[leg.index]));
        if (l.fallback >= 0) l.fallback_price.push_back(pricer(w, models[l.fallback]));
      }

  for (int c = 0; c < int(scenario.clusters.size()); ++c) {
    std::vector<int> routed;
    std::vector<double> share;
    for (int w = 0; w < int(workloads.size()); ++w)
      for (const RouteLeg& leg : strategy_->routes[w].legs)
        if (leg.kind == Route::Kind::Cluster && leg.index == c) {
          routed.push_back(w);
          share.push_back(leg.share);
        }
    if (routed.empty()) continue;
    const Cluster& cluster = scenario.clusters[c];
    ClusterPlan plan{c, ClusterRun(cluster, workloads, routed), share, {}, {}, -1, nullptr,
                     {}};
    plan.scaled.resize(routed.size());
    plan.slo = slo.of(strategy, c);
    if (cluster.scale_to_slo) plan.run.scale_to(plan.slo);
    if (plan.slo)
      for (int k : plan.slo->slots) {
        const int w = routed[k];
        if (slo_row_.empty()) slo_row_.assign(workloads.size(), -1);
        if (slo_row_[w] >= 0) continue;  // a split's other cluster leg has it
        slo_row_[w] = int(slo_checked_.size());
        slo_checked_.push_back(w);
      }
    if (cluster.overflow_model) {
      const int m = *cluster.overflow_model;
      plan.overflow_model = m;
      for (int w : routed) plan.overflow.push_back(pricer(w, models[m]));
      if (models[m].rate_limit) {
        const int fallback = limited(m).fallback;
        if (fallback >= 0)
          for (int w : routed) plan.overflow_fallback.push_back(pricer(w, models[fallback]));
      }
    }
    clusters_.push_back(std::move(plan));
  }
  for (int p = 0; p < int(scenario.provisioned.size()); ++p) {
    ProvisionedPlan plan{p, {}, {}, {}};
    for (int w = 0; w < int(workloads.size()); ++w)
      for (const RouteLeg& leg : strategy_->routes[w].legs)
        if (leg.kind == Route::Kind::Provisioned && leg.index == p) {
          plan.routed.push_back(w);
          plan.share.push_back(leg.share);
        }
    if (plan.routed.empty()) continue;
    if (const auto m = scenario.provisioned[p].overflow_model)
      for (int w : plan.routed) plan.overflow.push_back(pricer(w, models[*m]));
    provisioned_.push_back(std::move(plan));
  }
  // Pointers into limited_ once it no longer grows.
  for (ClusterPlan& plan : clusters_)
    if (plan.overflow_model >= 0 && limited_of[plan.overflow_model] >= 0)
      plan.overflow_limit = &limited_[limited_of[plan.overflow_model]];
}

ApiPricer StrategyCoster::pricer(int workload, const ApiModel& model) const {
  const Workload& w = scenario_->workloads[workload];
  // A model that does not sell the strategy's service tier (a fallback or an
  // overflow: the parser checks the routed ones) is priced at its standard tier.
  return ApiPricer(model, w, strategy_->caching, w.is_batch() && strategy_->batch_api,
                   strategy_->cache_ttl_minutes[workload],
                   model.tier_multiplier(strategy_->service_tier).value_or(1.0));
}

void StrategyCoster::add_api(int workload, const ApiCharge& c, double requests,
                             int month, bool as_overflow, PathRecord& out,
                             bool counted) const {
  double* parts = out.parts + std::size_t(month) * kPartCount;
  if (as_overflow) {
    parts[kOverflow] += c.total();
    if (counted) count(out, month, kByOverflow, requests);
  } else {
    parts[kApiInput] += c.input;
    parts[kCachedInput] += c.cached_input;
    parts[kOutput] += c.output;
    parts[kBatch] += c.batch;
    if (counted) count(out, month, kByApi, requests);
  }
  out.workload_cost[std::size_t(month) * scenario_->workloads.size() + workload] +=
      c.total();
}

void StrategyCoster::cost_api_routes(const TrafficPath& path, PathTotals& totals,
                                     PathRecord& out) const {
  for (const DirectLeg& leg : direct_) {
    const ApiPricer& price = leg.price;
    // Hours are independent for API routes and the cost is linear in a month's
    // totals: price whole months. A leg takes its share of every hour.
    const Slice* months = totals.months(path, leg.workload);
    const CacheUse* uses =
        price.uses_cache() ? totals.cache_use(path, leg.workload, price, leg.share) : nullptr;
    for (int m = 0; m < path.months; ++m)
      // Model v2: all of a model's prices move by one factor per month.
      add_api(leg.workload,
              price.charge(months[m].scaled(leg.share), uses ? uses[m] : CacheUse{})
                  .scaled(path.model_price_factor(leg.model, m)),
              months[m].requests * leg.share, m, false, out, leg.counted);
  }
}

void StrategyCoster::split_minutes(LimitedModel& l, const TrafficPath& path) const {
  l.realtime_share.assign(path.hours, 1.0);
  for (int t = 0; t < path.hours; ++t) {
    double requests = 0, realtime = 0, variance = 0, tokens = 0;
    for (std::size_t k = 0; k < l.direct.size(); ++k) {
      const Workload& w = scenario_->workloads[l.direct[k]];
      const std::size_t i = path.index(l.direct[k], t);
      const double share = l.share[k];
      const double n = path.requests[i] * share;
      requests += n;
      tokens += path.variable_input[i] * share + n * w.prefix_tokens + path.output[i] * share;
      if (int(k) < l.realtime) {
        realtime += n;
        variance += w.spikiness.minute_dispersion * n / 60.0;
      }
    }
    // A token limit is a request limit at the hour's tokens per request.
    double per_minute = l.per_hour / 60.0;
    if (l.tokens_per_minute && tokens > 0)
      per_minute = std::min(per_minute, *l.tokens_per_minute * requests / tokens);
    const double budget = 60.0 * per_minute;
    const double passed =
        std::min(budget, passed_in_hour(realtime, variance, per_minute));
    if (realtime > 0) l.realtime_share[t] = passed / realtime;
    l.remaining[t] = budget - passed;
  }
}

void StrategyCoster::cost_limited(LimitedModel& l, const TrafficPath& path,
                                  PathRecord& out) {
  l.remaining.assign(path.hours, l.per_hour);
  if (l.by_minute) split_minutes(l, path);
  // Workload by workload in priority order: within every hour, real-time work
  // takes the budget first, in file order, and batch-class work what is left.
  for (std::size_t k = 0; k < l.direct.size(); ++k) {
    const int w = l.direct[k];
    for (int t = 0; t < path.hours; ++t) {
      const std::size_t i = path.index(w, t);
      const Slice hour =
          Slice{path.requests[i], path.variable_input[i], path.output[i]}.scaled(l.share[k]);
      if (hour.requests <= 0) continue;
      const int m = month_of(t);
      const double sent = l.by_minute && int(k) < l.realtime
                              ? hour.requests * l.realtime_share[t]
                              : l.take(t, hour.requests);
      const double share = sent / hour.requests;
      // Priced as usual with n = the requests sent; V and O split by requests.
      if (sent > 0)
        add_api(w,
                l.price[k].charge(hour.scaled(share)).scaled(
                    path.model_price_factor(l.model, m)),
                sent, m, false, out, l.counted[k]);
      const double excess = hour.requests - sent;
      if (excess <= 0) continue;
      if (l.fallback < 0) {  // never an escalation (the parser asks for a fallback)
        count(out, m, kRateLimited, excess);
        continue;
      }
      add_api(w,
              l.fallback_price[k].charge(hour.scaled(1.0 - share)).scaled(
                  path.model_price_factor(l.fallback, m)),
              excess, m, false, out, l.counted[k]);
      out.details[std::size_t(m) * kDetailCount + kFallbackRequests] += excess;
    }
  }
}

void StrategyCoster::overflow(ClusterPlan& plan, int k, const Slice& away, int t,
                              const TrafficPath& path, PathRecord& out) {
  const int w = plan.run.routed()[k];
  const int m = month_of(t);
  if (plan.overflow.empty()) {
    count(out, m, kUnserved, away.requests);
    return;
  }
  LimitedModel* limit = plan.overflow_limit;
  // Overflow counts toward the model's limit after the directly routed work.
  const double sent = limit ? limit->take(t, away.requests) : away.requests;
  const double share = sent / away.requests;
  if (sent > 0)
    add_api(w,
            plan.overflow[k].charge(limit ? away.scaled(share) : away).scaled(
                path.model_price_factor(plan.overflow_model, m)),
            sent, m, true, out);
  const double excess = away.requests - sent;
  if (excess <= 0) return;
  if (limit->fallback < 0) {
    count(out, m, kRateLimited, excess);
    return;
  }
  add_api(w,
          plan.overflow_fallback[k].charge(away.scaled(1.0 - share)).scaled(
              path.model_price_factor(limit->fallback, m)),
          excess, m, true, out);
  out.details[std::size_t(m) * kDetailCount + kFallbackRequests] += excess;
}

namespace {

// A month's GPU cost and hours (committed and spot among them) and the GPU-seconds
// served, summed in registers and written once.
struct GpuMonth {
  double cost = 0, hours = 0, served_seconds = 0;
  double committed_hours = 0, committed_cost = 0;
  double spot_hours = 0, spot_cost = 0, outage_hours = 0;

  void write(double* d) const {
    d[kCommittedGpuHours] += committed_hours;
    d[kCommittedGpuCost] += committed_cost;
    d[kSpotGpuHours] += spot_hours;
    d[kSpotGpuCost] += spot_cost;
    d[kSpotOutageHours] += outage_hours;
  }
};

// The GPUs of a month's hours that `run` has just served, by kind: each hour's
// cost into gpu_cost, and the commitment's and spot GPUs' hours and cost.
// `available`: whether the cluster runs this month (outage hours count only then).
GpuMonth bill_gpus(const ClusterRun& run, int hours, double price_factor,
                   const std::uint8_t* spot_down, bool available, double* gpu_cost) {
  const Cluster& c = run.cluster();
  // Model v2: a price path moves the on-demand and spot prices, not the
  // contract's.
  const double on_demand_price = c.gpu_price_per_hour * price_factor;
  const double* gpus = run.gpus();
  const double* spot = run.spot_gpus();
  const double committed = run.committed_gpus();
  GpuMonth month;
  for (int h = 0; h < hours; ++h)
    gpu_cost[h] = (gpus[h] - committed - spot[h]) * on_demand_price;
  if (c.commitment) {
    const double committed_cost = committed * c.commitment->price_per_hour;
    for (int h = 0; h < hours; ++h) {
      month.committed_hours += committed;
      month.committed_cost += committed_cost;
      gpu_cost[h] += committed_cost;
    }
  }
  if (c.spot) {
    for (int h = 0; h < hours; ++h) {
      const double spot_cost = spot[h] * c.spot->price_per_hour * price_factor;
      month.spot_hours += spot[h];
      month.spot_cost += spot_cost;
      month.outage_hours += spot_down[h] && available;
      gpu_cost[h] += spot_cost;
    }
  }
  return month;
}

// Routed workloads k0 .. k0 + G - 1's requests served in a month and their share
// of its GPU cost (the cost per served second times their seconds), summed hour by
// hour. G is a constant so that the 2 G sums stay in registers: as one loop over
// hours they run side by side instead of one after another.
template <int G>
void share_month_of(const ClusterRun& run, int k0, int hours, const double* cost_per_second,
                    double* served, double* cost) {
  const double* requests[G];
  const double* seconds[G];
  double s[G], c[G];
  for (int j = 0; j < G; ++j) {
    requests[j] = run.served_requests(k0 + j);
    seconds[j] = run.served_seconds(k0 + j);
    s[j] = c[j] = 0.0;
  }
  for (int h = 0; h < hours; ++h)
    for (int j = 0; j < G; ++j) {
      s[j] += requests[j][h];
      c[j] += cost_per_second[h] * seconds[j][h];
    }
  for (int j = 0; j < G; ++j) {
    served[j] = s[j];
    cost[j] = c[j];
  }
}

constexpr std::size_t kSumGroup = 4;

void share_month(const ClusterRun& run, int k0, int count, int hours,
                 const double* cost_per_second, double* served, double* cost) {
  switch (count) {
    case 1: return share_month_of<1>(run, k0, hours, cost_per_second, served, cost);
    case 2: return share_month_of<2>(run, k0, hours, cost_per_second, served, cost);
    case 3: return share_month_of<3>(run, k0, hours, cost_per_second, served, cost);
    default: return share_month_of<4>(run, k0, hours, cost_per_second, served, cost);
  }
}

}  // namespace

HourlySlices StrategyCoster::scaled_demand(ClusterPlan& plan, std::size_t k,
                                           const HourlySlices& demand, int hours) {
  std::vector<double>& v = plan.scaled[k];
  v.resize(3 * std::size_t(hours));
  const double share = plan.share[k];
  for (int h = 0; h < hours; ++h) {
    v[h] = demand.requests[h] * share;
    v[hours + h] = demand.variable_input[h] * share;
    v[2 * hours + h] = demand.output[h] * share;
  }
  return {v.data(), v.data() + hours, v.data() + 2 * hours};
}

void StrategyCoster::cost_cluster(ClusterPlan& plan, const TrafficPath& path,
                                  PathRecord& out) {
  ClusterRun& run = plan.run;
  const Cluster& c = run.cluster();
  const auto& routed = run.routed();
  const std::size_t n_routed = routed.size();
  const std::size_t n_workloads = scenario_->workloads.size();
  demand_.resize(n_routed);
  away_.resize(n_routed);
  // Per routed workload, this month's requests served and share of the GPU cost.
  month_served_.resize(n_routed);
  month_cost_.resize(n_routed);
  for (auto* v : {&gpu_cost_, &served_seconds_, &cost_per_second_})
    v->resize(kHoursPerMonth);
  run.reset();
  for (int m = 0, t = 0; m < scenario_->horizon_months; ++m, t += kHoursPerMonth) {
    const int hours = std::min(path.hours - t, kHoursPerMonth);
    for (std::size_t k = 0; k < n_routed; ++k) {
      const std::size_t i = path.index(routed[k], t);
      demand_[k] = {&path.requests[i], &path.variable_input[i], &path.output[i]};
      if (plan.share[k] < 1.0) demand_[k] = scaled_demand(plan, k, demand_[k], hours);
    }
    const std::uint8_t* spot_down =
        c.spot ? &path.spot_down[std::size_t(plan.cluster) * path.hours + t] : nullptr;
    run.serve(t, hours, demand_, spot_down);
    if (plan.slo) check_slo(plan, t, hours);

    double* gpu_cost = gpu_cost_.data();
    GpuMonth month = bill_gpus(run, hours, path.cluster_price_factor(plan.cluster, m),
                               spot_down, m >= c.available_from_month, gpu_cost);
    // A workload carries the hour's GPU cost in proportion to the GPU-seconds it
    // used: the cost per served GPU-second, hour by hour.
    double* served_seconds = served_seconds_.data();
    double* cost_per_second = cost_per_second_.data();
    std::fill_n(served_seconds, hours, 0.0);
    for (std::size_t k = 0; k < n_routed; ++k) {
      const double* s = run.served_seconds(int(k));
      for (int h = 0; h < hours; ++h) served_seconds[h] += s[h];
    }
    const double* gpus = run.gpus();
    for (int h = 0; h < hours; ++h) {
      month.cost += gpu_cost[h];
      month.hours += gpus[h];
      month.served_seconds += served_seconds[h];
      cost_per_second[h] = served_seconds[h] > 0 ? gpu_cost[h] / served_seconds[h] : 0.0;
    }
    for (std::size_t k = 0; k < n_routed; k += kSumGroup)
      share_month(run, int(k), int(std::min(kSumGroup, n_routed - k)), hours,
                  cost_per_second, &month_served_[k], &month_cost_[k]);

    // What it turned away goes to overflow, hour by hour.
    for (std::size_t k = 0; k < n_routed; ++k) away_[k] = run.turned_away(int(k));
    for (int h = 0; h < hours; ++h)
      for (std::size_t k = 0; k < n_routed; ++k)
        if (away_[k].requests[h] > 0)
          overflow(plan, int(k),
                   {away_[k].requests[h], away_[k].variable_input[h], away_[k].output[h]},
                   t + h, path, out);

    double* parts = out.parts + std::size_t(m) * kPartCount;
    parts[kGpu] += month.cost;
    out.gpu_hours[m] += month.hours;
    out.gpu_seconds_served[m] += month.served_seconds;
    for (std::size_t k = 0; k < n_routed; ++k) {
      count(out, m, kByCluster, month_served_[k]);
      out.workload_cost[std::size_t(m) * n_workloads + routed[k]] += month_cost_[k];
    }
    if (c.commitment || c.spot) month.write(out.details + std::size_t(m) * kDetailCount);
  }
  for (int m = 0; m < scenario_->horizon_months; ++m)
    out.parts[std::size_t(m) * kPartCount + kFixed] += c.fixed.in_month(m);
}

void StrategyCoster::count_breaches(PathRecord& out) const {
  const std::size_t n_workloads = scenario_->workloads.size();
  for (std::size_t row = 0; row < slo_checked_.size(); ++row) {
    const std::uint8_t* breach = &breach_[row * path_hours_];
    for (std::size_t t0 = 0, m = 0; t0 < path_hours_; t0 += kHoursPerMonth, ++m) {
      const std::size_t end = std::min(path_hours_, t0 + kHoursPerMonth);
      int hours = 0;
      for (std::size_t t = t0; t < end; ++t) hours += breach[t];
      out.slo_breach_hours[m * n_workloads + slo_checked_[row]] += hours;
    }
  }
}

void StrategyCoster::check_slo(const ClusterPlan& plan, int t, int hours) {
  const ClusterRun& run = plan.run;
  const ClusterSlo& slo = *plan.slo;
  // The real-time requests the cluster served each hour, at its replicas then.
  slo_rate_.assign(std::size_t(hours), 0.0);
  double* rate = slo_rate_.data();
  for (int k : slo.realtime) {
    const double* served = run.served_requests(k);
    for (int h = 0; h < hours; ++h) rate[h] += served[h];
  }
  const double* gpus = run.gpus();
  const double replica = run.cluster().replica_gpus;
  for (std::size_t j = 0; j < slo.slots.size(); ++j) {
    const double* ceiling = slo.ceilings[j].data();
    const double most = double(slo.ceilings[j].size() - 1);
    std::uint8_t* breach =
        &breach_[std::size_t(slo_row_[run.routed()[slo.slots[j]]]) * path_hours_ + t];
    for (int h = 0; h < hours; ++h)
      breach[h] |= rate[h] > ceiling[std::size_t(std::min(gpus[h] / replica, most))];
  }
}

void StrategyCoster::cost_provisioned(const ProvisionedPlan& plan, const TrafficPath& path,
                                      PathRecord& out) {
  const Provisioned& p = scenario_->provisioned[plan.index];
  const std::size_t n_routed = plan.routed.size();
  const std::size_t n_workloads = scenario_->workloads.size();
  covered_tokens_.resize(n_routed);
  // The term is owed in whole: a horizon that ends within a term pays its rest
  // in the last month.
  const int months = scenario_->horizon_months;
  const int billed_months = (months + p.term_months - 1) / p.term_months * p.term_months;
  for (int m = 0, t0 = 0; m < months; ++m, t0 += kHoursPerMonth) {
    const int hours = std::min(path.hours - t0, kHoursPerMonth);
    std::fill(covered_tokens_.begin(), covered_tokens_.end(), 0.0);
    for (int t = t0; t < t0 + hours; ++t) {
      // The hour's minutes against the units' tokens per minute, as a rate limit
      // at the hour's tokens per request (minute_limits.hpp).
      double requests = 0, tokens = 0, variance = 0;
      for (std::size_t k = 0; k < n_routed; ++k) {
        const Workload& w = scenario_->workloads[plan.routed[k]];
        const std::size_t i = path.index(plan.routed[k], t);
        const double n = path.requests[i] * plan.share[k];
        requests += n;
        tokens += (path.variable_input[i] + path.output[i]) * plan.share[k] +
                  n * w.prefix_tokens;
        variance += w.spikiness.minute_dispersion * n / 60.0;
      }
      if (requests <= 0) continue;
      const double per_minute = p.tokens_per_minute() * requests / tokens;
      const double within =
          std::min(requests, std::min(60.0 * per_minute,
                                      passed_in_hour(requests, variance, per_minute))) /
          requests;
      for (std::size_t k = 0; k < n_routed; ++k) {
        const int w = plan.routed[k];
        const std::size_t i = path.index(w, t);
        const Slice hour =
            Slice{path.requests[i], path.variable_input[i], path.output[i]}.scaled(
                plan.share[k]);
        if (hour.requests <= 0) continue;
        covered_tokens_[k] += within * (hour.variable_input + hour.output +
                                        hour.requests * scenario_->workloads[w].prefix_tokens);
        count(out, m, kByApi, within * hour.requests);
        const double excess = (1.0 - within) * hour.requests;
        if (excess <= 0) continue;
        if (plan.overflow.empty()) {
          count(out, m, kRateLimited, excess);
          continue;
        }
        add_api(w,
                plan.overflow[k].charge(hour.scaled(1.0 - within)).scaled(
                    path.model_price_factor(*p.overflow_model, m)),
                excess, m, true, out);
      }
    }
    // The month's fee: fixed, carried by the routed workloads in proportion to
    // the tokens the units served them.
    const int fee_hours =
        hours + (m == months - 1 ? (billed_months - months) * kHoursPerMonth : 0);
    const double fee = fee_hours * p.price_per_hour();
    out.parts[std::size_t(m) * kPartCount + kFixed] += fee;
    double covered = 0;
    for (double x : covered_tokens_) covered += x;
    for (std::size_t k = 0; k < n_routed; ++k)
      out.workload_cost[std::size_t(m) * n_workloads + plan.routed[k]] +=
          covered > 0 ? fee * covered_tokens_[k] / covered : fee / double(n_routed);
  }
}

void StrategyCoster::cost(const TrafficPath& path, PathTotals& totals,
                          PathRecord out) {
  cost_api_routes(path, totals, out);
  for (LimitedModel& l : limited_) cost_limited(l, path, out);
  const bool check = out.slo_breach_hours && !slo_checked_.empty();
  if (check) {
    path_hours_ = std::size_t(path.hours);
    breach_.assign(slo_checked_.size() * path_hours_, 0);
  }
  for (ClusterPlan& plan : clusters_) cost_cluster(plan, path, out);
  if (check) count_breaches(out);
  for (const ProvisionedPlan& plan : provisioned_) cost_provisioned(plan, path, out);
  for (int m = 0; m < scenario_->horizon_months; ++m) {
    const double* p = out.parts + std::size_t(m) * kPartCount;
    double total = 0.0;
    for (int k = 0; k < kPartCount; ++k) total += p[k];
    out.cost[m] = total;
  }
}

}  // namespace breakeven
