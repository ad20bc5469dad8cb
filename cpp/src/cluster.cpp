#include "breakeven/cluster.hpp"

#include <algorithm>
#include <cmath>

#include "breakeven/calendar.hpp"
#include "breakeven/minute_limits.hpp"

namespace breakeven {

ServiceTime::ServiceTime(const Cluster& c, const Workload& w, const ServerReuse& reuse)
    : per_input((1.0 - reuse.variable_share) / c.prefill_tokens_per_s),
      per_request(w.prefix_tokens * (1.0 - reuse.prefix_share) / c.prefill_tokens_per_s),
      per_output(1.0 / c.decode_tokens_per_s) {}

namespace {

// Splits a real-time workload's hours into served and turned away by the share
// turned away. The arrays never overlap; saying so lets the loop vectorize.
void split_turned(int hours, const double* __restrict turned, const HourlySlices& demand,
                  const double* __restrict seconds, double* __restrict served,
                  double* __restrict served_seconds, double* __restrict away_requests,
                  double* __restrict away_input, double* __restrict away_output) {
  const double* __restrict requests = demand.requests;
  const double* __restrict input = demand.variable_input;
  const double* __restrict output = demand.output;
  for (int h = 0; h < hours; ++h) {
    served[h] = requests[h] * (1.0 - turned[h]);
    served_seconds[h] = seconds[h] * (1.0 - turned[h]);
    away_requests[h] = requests[h] * turned[h];
    away_input[h] = input[h] * turned[h];
    away_output[h] = output[h] * turned[h];
  }
}

}  // namespace

ClusterRun::ClusterRun(const Cluster& cluster, const std::vector<Workload>& workloads,
                       std::vector<int> routed)
    : cluster_(&cluster), routed_(std::move(routed)) {
  const std::size_t n = routed_.size();
  // The prefix cache is shared by the workloads this strategy routes here.
  double cache_minutes = 0;
  if (cluster.prefix_cache_tokens) {
    std::vector<const Workload*> sharing;
    for (int w : routed_) sharing.push_back(&workloads[w]);
    cache_minutes = server_cache_minutes(sharing, *cluster.prefix_cache_tokens);
  }
  for (std::size_t k = 0; k < n; ++k) {
    const Workload& w = workloads[routed_[k]];
    service_.emplace_back(cluster, w,
                          cluster.prefix_cache_tokens ? server_reuse(w, cache_minutes)
                                                      : ServerReuse{cluster.prefix_reuse, 0});
    deadline_hours_.push_back(w.is_batch() ? w.deadline_hours : 0);
    dispersion_.push_back(w.is_batch() ? 0.0 : w.spikiness.minute_dispersion);
    by_minute_ |= dispersion_.back() > 0;
    if (w.is_batch()) batch_slots_.push_back(int(k));
  }
  // One hour's arrivals come due by deadline_hours, ties to the lower slot.
  std::stable_sort(batch_slots_.begin(), batch_slots_.end(),
                   [&](int a, int b) { return deadline_hours_[a] < deadline_hours_[b]; });
  std::size_t room = kHoursPerMonth;
  for (int d : deadline_hours_) room += std::size_t(d);
  backlog_.resize(room);
  desired_.resize(cluster.lag_hours + kHoursPerMonth);
  for (auto* v : {&gpus_, &spot_, &capacity_, &demand_total_, &realtime_seconds_,
                  &realtime_turned_, &realtime_requests_, &realtime_variance_})
    v->resize(kHoursPerMonth);
  for (auto* v : {&demand_seconds_, &served_requests_, &served_seconds_,
                  &away_requests_, &away_input_, &away_output_})
    v->assign(n, std::vector<double>(kHoursPerMonth));
}

void ClusterRun::reset() {
  backlog_head_ = backlog_end_ = 0;
  // Before hour lag_hours the autoscaler has no history: min GPUs.
  std::fill(desired_.begin(), desired_.begin() + cluster_->lag_hours,
            double(cluster_->min_gpus));
}

void ClusterRun::scale(int t0, int hours, const std::uint8_t* spot_down) {
  // G(t): autoscaled clusters follow the demand of lag_hours ago; committed GPUs
  // are always there during their term; spot GPUs unless interrupted.
  const Cluster& c = *cluster_;
  const int month = month_of(t0);
  committed_ = c.commitment && c.commitment->active(month) ? c.commitment->gpus : 0;
  double* gpus = gpus_.data();
  if (c.autoscaled) {
    // desired(t) = clamp(r ceil(D(t) / (3600 u r)), min, max) for replicas of r
    // GPUs (1 unless serving: sized them); the floor is min, or the committed
    // GPUs when more (model v2). min, max and the commitment are whole replicas.
    const int lag = c.lag_hours;
    const double per_replica = kSecondsPerHour * c.utilization * c.replica_gpus;
    const double replica = c.replica_gpus;
    const double floor = std::max(c.min_gpus, committed_);
    const double most = c.max_gpus;
    double* desired = desired_.data() + lag;
    for (int h = 0; h < hours; ++h) {
      const double q = demand_total_[h] / per_replica;
      desired[h] = q * replica >= most ? most : std::max(replica * std::ceil(q), floor);
    }
    if (scale_slo_) {
      // And the fewest replicas whose ceilings hold the hour's real-time rate.
      const std::vector<double>& met = scale_slo_->all_met;
      for (int h = 0; h < hours; ++h) {
        const double r = double(
            std::lower_bound(met.begin(), met.end(), realtime_requests_[h]) - met.begin());
        desired[h] = std::min(most, std::max(desired[h], replica * r));
      }
    }
    // desired_[h] is desired(t0 + h - lag).
    for (int h = 0; h < hours; ++h) gpus[h] = std::max(desired_[h], double(committed_));
    std::copy(desired_.begin() + hours, desired_.begin() + hours + lag,
              desired_.begin());
  } else {
    std::fill_n(gpus, hours, double(c.max_gpus));
  }

  const bool available = month >= c.available_from_month;
  const double spot = available && c.spot ? c.spot->gpus : 0;
  for (int h = 0; h < hours; ++h) spot_[h] = spot_down && spot_down[h] ? 0.0 : spot;
  if (!available) committed_ = 0;
  for (int h = 0; h < hours; ++h) {
    gpus[h] = available ? gpus[h] + spot_[h] : 0.0;
    capacity_[h] = gpus[h] * kSecondsPerHour * c.utilization;
  }
}

void ClusterRun::enqueue(int t, int h, int k, const HourlySlices& demand,
                         double remaining) {
  if (backlog_head_ == backlog_end_) {
    backlog_head_ = backlog_end_ = 0;
  } else if (backlog_end_ == backlog_.size()) {
    // A backlog that has not drained for a month: drop the served entries.
    std::copy(backlog_.begin() + std::ptrdiff_t(backlog_head_),
              backlog_.begin() + std::ptrdiff_t(backlog_end_), backlog_.begin());
    backlog_end_ -= backlog_head_;
    backlog_head_ = 0;
  }
  const int deadline = t + deadline_hours_[k] - 1;
  std::size_t i = backlog_end_++;
  for (; i > backlog_head_; --i) {
    const BacklogEntry& before = backlog_[i - 1];
    if (before.deadline < deadline || (before.deadline == deadline && before.slot < k))
      break;
    backlog_[i] = before;
  }
  // Field by field: a whole entry built elsewhere and copied in stalls on the
  // store-to-load forwarding of its parts.
  BacklogEntry& e = backlog_[i];
  e.deadline = deadline;
  e.slot = k;
  e.slice = {demand.requests[h], demand.variable_input[h], demand.output[h]};
  e.seconds = demand_seconds_[k][h];
  e.remaining = remaining;
}

double ClusterRun::serve_part(int k, int h, double requests, double seconds,
                              double remaining, double& capacity) {
  const double needed = remaining * seconds;
  // Whole if it fits, else the part the capacity allows.
  const double fraction = needed <= capacity ? remaining : capacity / seconds;
  capacity = needed <= capacity ? capacity - needed : 0.0;
  served_requests_[k][h] += fraction * requests;
  served_seconds_[k][h] += fraction * seconds;
  return fraction == remaining ? 0.0 : remaining - fraction;
}

void ClusterRun::serve_backlog(int h, double capacity) {
  for (; capacity > 0 && backlog_head_ < backlog_end_;) {
    BacklogEntry& e = backlog_[backlog_head_];
    e.remaining = serve_part(e.slot, h, e.slice.requests, e.seconds, e.remaining, capacity);
    if (e.remaining == 0.0) ++backlog_head_;
  }
}

void ClusterRun::expire(int h, int t) {
  for (; backlog_head_ < backlog_end_ && backlog_[backlog_head_].deadline <= t;
       ++backlog_head_) {
    const BacklogEntry& e = backlog_[backlog_head_];
    const Slice left = e.slice.scaled(e.remaining);
    away_requests_[e.slot][h] += left.requests;
    away_input_[e.slot][h] += left.variable_input;
    away_output_[e.slot][h] += left.output;
  }
}

void ClusterRun::serve_batch(int t0, int hours, const std::vector<HourlySlices>& demand) {
  for (int k : batch_slots_)
    for (auto* v : {&served_requests_, &served_seconds_, &away_requests_, &away_input_,
                    &away_output_})
      std::fill_n((*v)[k].begin(), hours, 0.0);
  for (int h = 0; h < hours; ++h) {
    const int t = t0 + h;
    // By the minute, batch work also fills the minutes real-time work left idle.
    const double realtime = by_minute_ ? realtime_seconds_[h] * (1.0 - realtime_turned_[h])
                                       : realtime_seconds_[h];
    double capacity = std::max(0.0, capacity_[h] - realtime);
    for (int k : batch_slots_) {
      if (demand[k].requests[h] <= 0) continue;
      // With nothing queued ahead of it (most hours), an arrival is served at once
      // as far as the capacity goes, and only what is left joins the backlog:
      // the same as queueing it first, without the queue's work.
      double remaining = 1.0;
      if (capacity > 0 && backlog_head_ == backlog_end_)
        remaining = serve_part(k, h, demand[k].requests[h], demand_seconds_[k][h],
                               remaining, capacity);
      if (remaining > 0) enqueue(t, h, k, demand[k], remaining);
    }
    serve_backlog(h, capacity);
    expire(h, t);
  }
}

void ClusterRun::serve(int t0, int hours, const std::vector<HourlySlices>& demand,
                       const std::uint8_t* spot_down) {
  const bool autoscaled = cluster_->autoscaled;
  std::fill_n(realtime_seconds_.begin(), hours, 0.0);
  if (autoscaled) std::fill_n(demand_total_.begin(), hours, 0.0);
  for (std::size_t k = 0; k < routed_.size(); ++k) {
    const HourlySlices& d = demand[k];
    const ServiceTime& s = service_[k];
    double* seconds = demand_seconds_[k].data();
    for (int h = 0; h < hours; ++h)
      seconds[h] = s.seconds(d.requests[h], d.variable_input[h], d.output[h]);
    if (autoscaled)
      for (int h = 0; h < hours; ++h) demand_total_[h] += seconds[h];
    if (!deadline_hours_[k])
      for (int h = 0; h < hours; ++h) realtime_seconds_[h] += seconds[h];
  }
  if (scale_slo_) {
    std::fill_n(realtime_requests_.begin(), hours, 0.0);
    for (int k : scale_slo_->realtime)
      for (int h = 0; h < hours; ++h) realtime_requests_[h] += demand[k].requests[h];
  }
  scale(t0, hours, spot_down);

  // 1. Real-time first; an overload turns away the same fraction of each.
  // 2. Batch arrivals join the backlog; leftover capacity serves it EDF.
  double* turned = realtime_turned_.data();
  if (by_minute_) {
    // Each minute turns away what exceeds its sixtieth of the capacity: the
    // minute's GPU-seconds are gamma with mean S/60 and variance
    // sum_k phi_k s_k^2 / (60 n_k) (phi_k requests per minute over Poisson,
    // s_k / n_k seconds a request), as a rate limit's requests (minute_limits.hpp).
    std::fill_n(realtime_variance_.begin(), hours, 0.0);
    for (std::size_t k = 0; k < routed_.size(); ++k) {
      if (deadline_hours_[k] || dispersion_[k] <= 0) continue;
      const double* n = demand[k].requests;
      const double* seconds = demand_seconds_[k].data();
      for (int h = 0; h < hours; ++h)
        if (n[h] > 0)
          realtime_variance_[h] += dispersion_[k] * seconds[h] * seconds[h] / (60.0 * n[h]);
    }
    for (int h = 0; h < hours; ++h) {
      const double s = realtime_seconds_[h];
      const double passed = passed_in_hour(s, realtime_variance_[h], capacity_[h] / 60.0);
      turned[h] = s > 0 ? std::clamp((s - passed) / s, 0.0, 1.0) : 0.0;
    }
  } else {
    for (int h = 0; h < hours; ++h)
      turned[h] = realtime_seconds_[h] > capacity_[h]
                      ? 1.0 - capacity_[h] / realtime_seconds_[h]
                      : 0.0;
  }
  for (std::size_t k = 0; k < routed_.size(); ++k) {
    if (deadline_hours_[k]) continue;
    split_turned(hours, turned, demand[k], demand_seconds_[k].data(),
                 served_requests_[k].data(), served_seconds_[k].data(),
                 away_requests_[k].data(), away_input_[k].data(),
                 away_output_[k].data());
  }
  if (!batch_slots_.empty()) serve_batch(t0, hours, demand);
}

}  // namespace breakeven
