#include "breakeven/cluster.hpp"

#include <algorithm>
#include <cmath>

#include "breakeven/calendar.hpp"

namespace breakeven {

double gpu_seconds(const Cluster& c, const Workload& w, const Slice& s) {
  const double prefill =
      s.variable_input + s.requests * w.prefix_tokens * (1.0 - c.prefix_reuse);
  return prefill / c.prefill_tokens_per_s + s.output / c.decode_tokens_per_s;
}

ClusterRun::ClusterRun(const Cluster& cluster, const std::vector<Workload>& workloads,
                       std::vector<int> routed)
    : cluster_(&cluster), routed_(std::move(routed)) {
  int max_deadline = 0;
  for (int w : routed_) {
    workloads_.push_back(&workloads[w]);
    max_deadline += workloads[w].deadline_hours;
  }
  backlog_.reserve(max_deadline + routed_.size());
  desired_history_.assign(cluster.lag_hours + 1, 0);
  served_requests_.assign(routed_.size(), 0.0);
  served_seconds_.assign(routed_.size(), 0.0);
  demand_seconds_.assign(routed_.size(), 0.0);
  turned_away_.assign(routed_.size(), Slice{});
}

void ClusterRun::reset() {
  backlog_.clear();
  std::fill(desired_history_.begin(), desired_history_.end(), 0);
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

void ClusterRun::enqueue(const BacklogEntry& entry) {
  // Arrivals mostly come due after everything queued: append.
  if (backlog_.empty() || backlog_.back().deadline < entry.deadline ||
      (backlog_.back().deadline == entry.deadline &&
       backlog_.back().slot <= entry.slot)) {
    backlog_.push_back(entry);
    return;
  }
  auto later = std::upper_bound(
      backlog_.begin(), backlog_.end(), entry,
      [](const BacklogEntry& a, const BacklogEntry& b) {
        return a.deadline != b.deadline ? a.deadline < b.deadline : a.slot < b.slot;
      });
  backlog_.insert(later, entry);
}

void ClusterRun::serve_backlog(double capacity) {
  for (BacklogEntry& e : backlog_) {
    if (capacity <= 0) break;
    const double needed = e.remaining * e.seconds;
    // Whole if it fits, else the part the capacity allows.
    const double fraction = needed <= capacity ? e.remaining : capacity / e.seconds;
    capacity = needed <= capacity ? capacity - needed : 0.0;
    served_requests_[e.slot] += fraction * e.slice.requests;
    served_seconds_[e.slot] += fraction * e.seconds;
    e.remaining = fraction == e.remaining ? 0.0 : e.remaining - fraction;
  }
  // Served entries are a prefix of the EDF order; drop them.
  auto first_left = std::find_if(backlog_.begin(), backlog_.end(),
                                 [](const BacklogEntry& e) { return e.remaining > 0; });
  backlog_.erase(backlog_.begin(), first_left);
}

void ClusterRun::expire(int t) {
  auto first_live = std::find_if(backlog_.begin(), backlog_.end(),
                                 [t](const BacklogEntry& e) { return e.deadline > t; });
  for (auto it = backlog_.begin(); it != first_live; ++it) {
    Slice& away = turned_away_[it->slot];
    const Slice left = it->slice.scaled(it->remaining);
    away.requests += left.requests;
    away.variable_input += left.variable_input;
    away.output += left.output;
  }
  backlog_.erase(backlog_.begin(), first_live);
}

void ClusterRun::step(int t, const std::vector<Slice>& demand, bool spot_interrupted) {
  const std::size_t n = routed_.size();
  std::fill(served_requests_.begin(), served_requests_.end(), 0.0);
  std::fill(served_seconds_.begin(), served_seconds_.end(), 0.0);
  std::fill(turned_away_.begin(), turned_away_.end(), Slice{});

  double realtime_seconds = 0.0;
  double demand_total = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    demand_seconds_[k] = gpu_seconds(*cluster_, *workloads_[k], demand[k]);
    demand_total += demand_seconds_[k];
    if (!workloads_[k]->is_batch()) realtime_seconds += demand_seconds_[k];
  }

  // G(t): autoscaled clusters follow the demand of lag_hours ago; committed GPUs
  // are always there during their term; spot GPUs unless interrupted.
  const int month = month_of(t);
  const auto& commitment = cluster_->commitment;
  committed_ = commitment && commitment->active(month) ? commitment->gpus : 0;
  int g = cluster_->max_gpus;
  if (cluster_->autoscaled) {
    const int lag = cluster_->lag_hours;
    const int slots = lag + 1;
    desired_history_[t % slots] =
        desired_gpus(demand_total, std::max(cluster_->min_gpus, committed_));
    g = std::max(t >= lag ? desired_history_[(t - lag) % slots] : cluster_->min_gpus,
                 committed_);
  }
  const bool available = month >= cluster_->available_from_month;
  spot_ = available && cluster_->spot && !spot_interrupted ? cluster_->spot->gpus : 0;
  if (!available) committed_ = 0;
  gpus_ = available ? g + spot_ : 0;
  const double capacity = gpus_ * kSecondsPerHour * cluster_->utilization;

  // 1. Real-time first; an overload turns away the same fraction of each.
  const double rt_turned =
      realtime_seconds > capacity ? 1.0 - capacity / realtime_seconds : 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    if (workloads_[k]->is_batch()) continue;
    served_requests_[k] = demand[k].requests * (1.0 - rt_turned);
    served_seconds_[k] = demand_seconds_[k] * (1.0 - rt_turned);
    turned_away_[k] = demand[k].scaled(rt_turned);
  }

  // 2. Batch arrivals join the backlog; leftover capacity serves it EDF.
  for (std::size_t k = 0; k < n; ++k) {
    if (!workloads_[k]->is_batch() || demand[k].requests <= 0) continue;
    enqueue({t + workloads_[k]->deadline_hours - 1, int(k), demand[k],
             demand_seconds_[k], 1.0});
  }
  serve_backlog(std::max(0.0, capacity - realtime_seconds));
  expire(t);
}

}  // namespace breakeven
