// A self-hosted cluster serving its routed workloads hour by hour (MODEL.md
// "Self-hosted cluster"): real-time first, then the batch backlog earliest
// deadline first; what it cannot serve is turned away.
#pragma once

#include <cstdint>
#include <vector>

#include "breakeven/pricing.hpp"
#include "breakeven/scenario.hpp"
#include "breakeven/slo.hpp"

namespace breakeven {

// GPU-seconds to serve a slice: (V (1 - r_V) + n P (1 - r_P))/prefill + O/decode,
// with the divisions resolved once per (cluster, workload). r_P is the cluster's
// prefix_reuse, or both shares follow from its prefix cache (cache.hpp).
struct ServiceTime {
  double per_input, per_request, per_output;

  ServiceTime(const Cluster& cluster, const Workload& workload, const ServerReuse& reuse);
  double seconds(double requests, double variable_input, double output) const {
    return variable_input * per_input + requests * per_request + output * per_output;
  }
  double seconds(const Slice& s) const {
    return seconds(s.requests, s.variable_input, s.output);
  }
};

// One workload's slices over a block of hours, as arrays (so that the passes over
// hours vectorize): pointers into a path, or a cluster's own results.
struct HourlySlices {
  const double* requests;
  const double* variable_input;
  const double* output;
};

// One strategy's own copy of one cluster on one path. Holds the backlog and the
// autoscaler's history; reset() before each path.
//
// It serves a block of hours at a time (at most a month): whatever does not carry
// from hour to hour (service times, the autoscaler, real-time serving) is a pass
// over the block's hours; only the batch backlog is stepped hour by hour.
class ClusterRun {
 public:
  // `routed`: indices of the workloads this strategy sends here, in workload order.
  ClusterRun(const Cluster& cluster, const std::vector<Workload>& workloads,
             std::vector<int> routed);

  void reset();
  // For a cluster that scales to its slos (Cluster::scale_to_slo): the slos of the
  // workloads this strategy routes here; nullptr (none) scales on utilization alone.
  void scale_to(const ClusterSlo* slo) { scale_slo_ = slo; }

  // Serves hours t0 .. t0 + hours - 1, all in one month, given the demand of each
  // routed workload over them (parallel to routed()) and, for a cluster with spot
  // GPUs, from hour t0 on whether they are interrupted (nullptr: never). Blocks
  // follow each other from hour 0 after reset(). Afterwards the accessors below
  // describe the block's hours, index h for hour t0 + h.
  void serve(int t0, int hours, const std::vector<HourlySlices>& demand,
             const std::uint8_t* spot_down = nullptr);

  const Cluster& cluster() const { return *cluster_; }
  const std::vector<int>& routed() const { return routed_; }
  // G(t) per hour, 0 before available_from_month; whole numbers held as doubles
  // for the passes over hours.
  const double* gpus() const { return gpus_.data(); }
  int committed_gpus() const { return committed_; }  // of every hour's gpus()
  const double* spot_gpus() const { return spot_.data(); }  // of gpus()
  // Per routed workload k, per hour:
  const double* served_requests(int k) const { return served_requests_[k].data(); }
  const double* served_seconds(int k) const { return served_seconds_[k].data(); }
  HourlySlices turned_away(int k) const {  // incl. expired
    return {away_requests_[k].data(), away_input_[k].data(), away_output_[k].data()};
  }

 private:
  struct BacklogEntry {
    int deadline;  // last hour in which it may be served
    int slot;      // k of its routed workload
    Slice slice;   // the whole arrival
    double seconds;
    double remaining;  // fraction still queued
  };

  // G(t) for the block's hours into gpus_, spot_ and committed_.
  void scale(int t0, int hours, const std::uint8_t* spot_down);
  // The batch backlog, hour by hour: arrivals join, leftover capacity serves it
  // EDF, what is past its deadline expires.
  void serve_batch(int t0, int hours, const std::vector<HourlySlices>& demand);
  // Queues what is left (`remaining`) of routed workload k's arrival in hour t
  // (the block's hour h) in its EDF place; `demand` is k's.
  void enqueue(int t, int h, int k, const HourlySlices& demand, double remaining);
  // Serves `remaining` of an arrival of k in hour h from `capacity`: whole if it
  // fits, else the part the capacity allows. Returns what is left of it.
  double serve_part(int k, int h, double requests, double seconds, double remaining,
                    double& capacity);
  void serve_backlog(int h, double capacity_seconds);
  void expire(int h, int t);

  const Cluster* cluster_;
  std::vector<int> routed_;
  std::vector<int> deadline_hours_;   // parallel to routed_; 0 for real-time
  // Real-time requests per minute over Poisson (minute_dispersion; 0 for batch),
  // parallel to routed_; by_minute_ when one is above 0: the capacity is then
  // checked minute by minute within the hour.
  std::vector<double> dispersion_;
  bool by_minute_ = false;
  std::vector<ServiceTime> service_;  // parallel to routed_
  // The k of batch-class workloads, in the order one hour's arrivals come due
  // (so that, with nothing queued, serving them in this order is EDF).
  std::vector<int> batch_slots_;
  // The batch backlog, entries [backlog_head_, backlog_end_), in EDF order: by
  // deadline, ties to the lower slot. Arrivals of one workload come due in
  // arrival order, so most join at the back; what to serve and what expires next
  // is at the front. Room for every live entry and a month of served ones.
  std::vector<BacklogEntry> backlog_;
  std::size_t backlog_head_ = 0, backlog_end_ = 0;
  // The autoscaler's desired GPUs: lag_hours of history, then the block's hours.
  std::vector<double> desired_;
  const ClusterSlo* scale_slo_ = nullptr;
  std::vector<double> realtime_requests_;  // per hour of the block, when scale_slo_
  std::vector<double> realtime_variance_;  // of a minute's seconds, when by_minute_
  int committed_ = 0;
  std::vector<double> gpus_, spot_, capacity_;  // per hour of the block
  std::vector<double> demand_total_, realtime_seconds_, realtime_turned_;
  std::vector<std::vector<double>> demand_seconds_;  // [k][hour]
  std::vector<std::vector<double>> served_requests_, served_seconds_;
  std::vector<std::vector<double>> away_requests_, away_input_, away_output_;
};

}  // namespace breakeven
