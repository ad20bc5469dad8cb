#include "breakeven/cluster.hpp"

#include <algorithm>
#include <cmath>

#include "breakeven/calendar.hpp"

namespace breakeven {

ServiceTime::ServiceTime(const Cluster& c, const Workload& w)
    : per_input(1.0 / c.prefill_tokens_per_s),
      per_request(w.prefix_tokens * (1.0 - c.prefix_reuse) / c.prefill_tokens_per_s),
      per_output(1.0 / c.decode_tokens_per_s) {}

ClusterRun::ClusterRun(const Cluster& cluster, const std::vector<Workload>& workloads,
                       std::vector<int> routed)
    : cluster_(&cluster), routed_(std::move(routed)) {
  for (int w : routed_) {
    workloads_.push_back(&workloads[w]);
    service_.emplace_back(cluster, workloads[w]);
    batch_.push_back(workloads[w].is_batch());
    any_batch_ |= workloads[w].is_batch();
    BatchQueue q;
    if (workloads[w].is_batch()) q.ring.resize(workloads[w].deadline_hours);
    backlog_.push_back(std::move(q));
  }
  desired_history_.assign(cluster.lag_hours + 1, 0);
  served_requests_.assign(routed_.size(), 0.0);
  served_seconds_.assign(routed_.size(), 0.0);
  demand_seconds_.assign(routed_.size(), 0.0);
  turned_away_.assign(routed_.size(), Slice{});
}

void ClusterRun::reset() {
  for (BatchQueue& q : backlog_) q.head = q.size = 0;
  std::fill(desired_history_.begin(), desired_history_.end(), 0);
  history_at_ = 0;
  gpus_ = 0;
}

int ClusterRun::desired_gpus(double demand_seconds, int floor) const {
  // desired(t) = clamp(ceil(D(t) / (3600 u)), min, max); `floor` is min, or the
  // committed GPUs when more (model v2).
  const double q = demand_seconds / (kSecondsPerHour * cluster_->utilization);
  if (q >= cluster_->max_gpus) return cluster_->max_gpus;
  long long needed = static_cast<long long>(q);  // q >= 0: truncation is floor
  if (double(needed) < q) ++needed;
  return int(std::max<long long>(needed, floor));
}

int ClusterRun::earliest_due() const {
  int best = -1;
  for (int k = 0; k < int(backlog_.size()); ++k) {
    const BatchQueue& q = backlog_[k];
    // Ties go to the lower slot: k only replaces best when strictly earlier.
    if (q.size > 0 && (best < 0 || q.ring[q.head].deadline <
                                       backlog_[best].ring[backlog_[best].head].deadline))
      best = k;
  }
  return best;
}

void ClusterRun::serve_backlog(double capacity) {
  for (int k; capacity > 0 && (k = earliest_due()) >= 0;) {
    BacklogEntry& e = backlog_[k].front();
    const double needed = e.remaining * e.seconds;
    // Whole if it fits, else the part the capacity allows.
    const double fraction = needed <= capacity ? e.remaining : capacity / e.seconds;
    capacity = needed <= capacity ? capacity - needed : 0.0;
    served_requests_[k] += fraction * e.slice.requests;
    served_seconds_[k] += fraction * e.seconds;
    e.remaining = fraction == e.remaining ? 0.0 : e.remaining - fraction;
    if (e.remaining == 0.0) backlog_[k].pop();
  }
}

void ClusterRun::expire(int t) {
  for (std::size_t k = 0; k < backlog_.size(); ++k) {
    BatchQueue& q = backlog_[k];
    for (; q.size > 0 && q.front().deadline <= t; q.pop()) {
      const Slice left = q.front().slice.scaled(q.front().remaining);
      turned_away_[k].requests += left.requests;
      turned_away_[k].variable_input += left.variable_input;
      turned_away_[k].output += left.output;
    }
  }
}

void ClusterRun::step(int t, const std::vector<Slice>& demand, bool spot_interrupted) {
  const std::size_t n = routed_.size();
  double realtime_seconds = 0.0;
  double demand_total = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    demand_seconds_[k] = service_[k].seconds(demand[k]);
    demand_total += demand_seconds_[k];
    if (!batch_[k]) realtime_seconds += demand_seconds_[k];
  }

  // G(t): autoscaled clusters follow the demand of lag_hours ago; committed GPUs
  // are always there during their term; spot GPUs unless interrupted.
  const int month = month_of(t);
  const auto& commitment = cluster_->commitment;
  committed_ = commitment && commitment->active(month) ? commitment->gpus : 0;
  int g = cluster_->max_gpus;
  if (cluster_->autoscaled) {
    // The ring holds hours t - lag .. t; the slot after this hour's is t - lag's.
    const int slots = int(desired_history_.size());
    desired_history_[history_at_] =
        desired_gpus(demand_total, std::max(cluster_->min_gpus, committed_));
    if (++history_at_ == slots) history_at_ = 0;
    g = std::max(t >= cluster_->lag_hours ? desired_history_[history_at_]
                                          : cluster_->min_gpus,
                 committed_);
  }
  const bool available = month >= cluster_->available_from_month;
  spot_ = available && cluster_->spot && !spot_interrupted ? cluster_->spot->gpus : 0;
  if (!available) committed_ = 0;
  gpus_ = available ? g + spot_ : 0;
  const double capacity = gpus_ * kSecondsPerHour * cluster_->utilization;

  // 1. Real-time first; an overload turns away the same fraction of each.
  // 2. Batch arrivals join the backlog; leftover capacity serves it EDF.
  const double rt_turned =
      realtime_seconds > capacity ? 1.0 - capacity / realtime_seconds : 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    if (!batch_[k]) {
      served_requests_[k] = demand[k].requests * (1.0 - rt_turned);
      served_seconds_[k] = demand_seconds_[k] * (1.0 - rt_turned);
      turned_away_[k] = demand[k].scaled(rt_turned);
      continue;
    }
    served_requests_[k] = served_seconds_[k] = 0.0;
    turned_away_[k] = Slice{};
    if (demand[k].requests > 0)
      backlog_[k].push({t + workloads_[k]->deadline_hours - 1, demand[k],
                        demand_seconds_[k], 1.0});
  }
  if (any_batch_) {
    serve_backlog(std::max(0.0, capacity - realtime_seconds));
    expire(t);
  }
}

}  // namespace breakeven
