// A self-hosted cluster serving its routed workloads hour by hour (MODEL.md
// "Self-hosted cluster"): real-time first, then the batch backlog earliest
// deadline first; what it cannot serve is turned away.
#pragma once

#include <vector>

#include "breakeven/pricing.hpp"
#include "breakeven/scenario.hpp"

namespace breakeven {

// GPU-seconds to serve a slice: (V + n P (1 - prefix_reuse))/prefill + O/decode,
// with the divisions resolved once per (cluster, workload).
struct ServiceTime {
  double per_input, per_request, per_output;

  ServiceTime(const Cluster& cluster, const Workload& workload);
  double seconds(const Slice& s) const {
    return s.variable_input * per_input + s.requests * per_request +
           s.output * per_output;
  }
};

// One strategy's own copy of one cluster on one path. Holds the backlog and the
// autoscaler's history; reset() before each path.
class ClusterRun {
 public:
  // `routed`: indices of the workloads this strategy sends here, in workload order.
  ClusterRun(const Cluster& cluster, const std::vector<Workload>& workloads,
             std::vector<int> routed);

  void reset();

  // Serves hour t given this hour's demand of each routed workload (parallel to
  // routed()), and whether the spot GPUs (if any) are interrupted. Afterwards the
  // accessors below describe the hour. Hours are stepped 0, 1, 2, ... after reset().
  void step(int t, const std::vector<Slice>& demand, bool spot_interrupted = false);

  const Cluster& cluster() const { return *cluster_; }
  const std::vector<int>& routed() const { return routed_; }
  int gpus() const { return gpus_; }  // G(t); 0 before available_from_month
  int committed_gpus() const { return committed_; }  // of gpus(), under commitment
  int spot_gpus() const { return spot_; }            // of gpus(), spot
  int on_demand_gpus() const { return gpus_ - committed_ - spot_; }
  // Per routed workload, for the hour just stepped:
  const std::vector<double>& served_requests() const { return served_requests_; }
  const std::vector<double>& served_seconds() const { return served_seconds_; }
  const std::vector<Slice>& turned_away() const {
    return turned_away_;
  }  // incl. expired

 private:
  struct BacklogEntry {
    int deadline;  // last hour in which it may be served
    Slice slice;   // the whole arrival
    double seconds;
    double remaining;  // fraction still queued
  };
  // One batch workload's queued arrivals, oldest first: a ring of deadline_hours
  // entries, enough because an arrival expires within deadline_hours hours.
  // Arrivals of one workload come due in arrival order, so the EDF order of the
  // whole backlog is a merge of these queues by (deadline, slot).
  struct BatchQueue {
    std::vector<BacklogEntry> ring;
    int head = 0, size = 0;

    BacklogEntry& front() { return ring[head]; }
    // Wraps by comparison: an integer division costs more than the whole hour.
    void push(const BacklogEntry& e) {
      const int cap = int(ring.size());
      const int at = head + size++;
      ring[at < cap ? at : at - cap] = e;
    }
    void pop() {
      if (++head == int(ring.size())) head = 0;
      --size;
    }
  };

  int desired_gpus(double demand_seconds, int floor) const;
  // The slot whose queue holds the earliest (deadline, slot); -1 when all empty.
  int earliest_due() const;
  void serve_backlog(double capacity_seconds);
  void expire(int t);

  const Cluster* cluster_;
  std::vector<const Workload*> workloads_;  // parallel to routed_
  std::vector<ServiceTime> service_;        // parallel to routed_
  std::vector<char> batch_;                 // parallel to routed_: batch-class
  bool any_batch_ = false;
  std::vector<int> routed_;
  std::vector<BatchQueue> backlog_;    // parallel to routed_; empty for real-time
  std::vector<int> desired_history_;   // ring buffer of lag_hours + 1
  int history_at_ = 0;                 // where this hour's desired GPUs go
  int gpus_ = 0;
  int committed_ = 0;
  int spot_ = 0;
  std::vector<double> served_requests_;
  std::vector<double> served_seconds_;
  std::vector<double> demand_seconds_;
  std::vector<Slice> turned_away_;
};

}  // namespace breakeven
