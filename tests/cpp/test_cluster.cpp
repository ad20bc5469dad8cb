#include <gtest/gtest.h>

#include "breakeven/cluster.hpp"

namespace breakeven {
namespace {

// A cluster where only decode matters: 1 output token = 1 GPU-second.
Cluster decode_bound(int gpus, double utilization) {
  Cluster c;
  c.min_gpus = c.max_gpus = gpus;
  c.prefill_tokens_per_s = 1e12;
  c.decode_tokens_per_s = 1.0;
  c.utilization = utilization;
  return c;
}

Workload realtime(const char* name) {
  Workload w;
  w.name = name;
  return w;
}

Workload batch(const char* name, int deadline_hours) {
  Workload w;
  w.name = name;
  w.latency = Latency::Batch;
  w.deadline_hours = deadline_hours;
  return w;
}

TEST(GpuSeconds, PrefillWithPrefixReuseAndDecode) {
  Cluster c;
  c.prefill_tokens_per_s = 1000;
  c.decode_tokens_per_s = 100;
  c.prefix_reuse = 0.5;
  Workload w;
  w.prefix_tokens = 100;
  // (V + n P (1 - reuse)) / prefill + O / decode = (1000 + 500) / 1000 + 50 / 100
  EXPECT_DOUBLE_EQ(ServiceTime(c, w).seconds({10, 1000, 50}), 2.0);
}

TEST(ClusterRun, RealTimeOverloadTurnsAwayTheSameFraction) {
  // 1 GPU at u = 0.5: 1800 GPU-seconds; demand 2400 + 1200 = 3600 -> half turned away.
  const Cluster c = decode_bound(1, 0.5);
  const std::vector<Workload> ws = {realtime("a"), realtime("b")};
  ClusterRun run(c, ws, {0, 1});
  run.reset();
  run.step(0, {{24, 0, 2400}, {12, 0, 1200}});
  EXPECT_EQ(run.gpus(), 1);
  EXPECT_DOUBLE_EQ(run.served_requests()[0], 12);
  EXPECT_DOUBLE_EQ(run.served_requests()[1], 6);
  EXPECT_DOUBLE_EQ(run.served_seconds()[0] + run.served_seconds()[1], 1800);
  EXPECT_DOUBLE_EQ(run.turned_away()[0].requests, 12);
  EXPECT_DOUBLE_EQ(run.turned_away()[0].output, 1200);
  EXPECT_DOUBLE_EQ(run.turned_away()[1].output, 600);
}

TEST(ClusterRun, BacklogServedEarliestDeadlineFirst) {
  // Capacity 3600/h. Hour 0: a (deadline 2 h) brings 3000 s, b (deadline 1 h) 2000 s.
  // b is due first: all 2000 served, a gets the 1600 left; a's 1400 follow in hour 1.
  const Cluster c = decode_bound(1, 1.0);
  const std::vector<Workload> ws = {batch("a", 2), batch("b", 1)};
  ClusterRun run(c, ws, {0, 1});
  run.reset();
  run.step(0, {{30, 0, 3000}, {20, 0, 2000}});
  EXPECT_DOUBLE_EQ(run.served_seconds()[1], 2000);
  EXPECT_DOUBLE_EQ(run.served_seconds()[0], 1600);
  EXPECT_DOUBLE_EQ(run.served_requests()[0], 16);
  EXPECT_DOUBLE_EQ(run.turned_away()[0].requests + run.turned_away()[1].requests, 0);
  run.step(1, {{0, 0, 0}, {0, 0, 0}});
  EXPECT_DOUBLE_EQ(run.served_seconds()[0], 1400);
  EXPECT_DOUBLE_EQ(run.served_requests()[0], 14);
  EXPECT_DOUBLE_EQ(run.turned_away()[0].requests, 0);
}

TEST(ClusterRun, RealTimeFirstThenBacklogAndExpiry) {
  // Capacity 3600/h; real-time r takes 2600, leaving 1000 for the backlog.
  // Hour 0: b (deadline 1 h) 2000 s -> 1000 served, 1000 expire in hour 0 (half of b).
  //         a (deadline 2 h) 3000 s -> nothing left for it in hour 0.
  // Hour 1: r again takes 2600; a gets 1000 and its other 2000 expire (2/3 of a).
  const Cluster c = decode_bound(1, 1.0);
  const std::vector<Workload> ws = {realtime("r"), batch("a", 2), batch("b", 1)};
  ClusterRun run(c, ws, {0, 1, 2});
  run.reset();
  run.step(0, {{26, 0, 2600}, {30, 0, 3000}, {20, 0, 2000}});
  EXPECT_DOUBLE_EQ(run.served_seconds()[0], 2600);
  EXPECT_DOUBLE_EQ(run.served_seconds()[2], 1000);
  EXPECT_DOUBLE_EQ(run.turned_away()[2].requests, 10);
  EXPECT_DOUBLE_EQ(run.turned_away()[2].output, 1000);
  EXPECT_DOUBLE_EQ(run.served_seconds()[1], 0);
  EXPECT_DOUBLE_EQ(run.turned_away()[1].requests, 0);
  run.step(1, {{26, 0, 2600}, {0, 0, 0}, {0, 0, 0}});
  EXPECT_DOUBLE_EQ(run.served_seconds()[1], 1000);
  EXPECT_DOUBLE_EQ(run.turned_away()[1].requests, 20);
  EXPECT_DOUBLE_EQ(run.turned_away()[1].output, 2000);
  run.step(2, {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}});
  EXPECT_DOUBLE_EQ(run.served_seconds()[1] + run.turned_away()[1].requests, 0);
}

TEST(ClusterRun, AutoscaleFollowsDemandAfterLag) {
  // u = 1: desired = clamp(ceil(D / 3600), 1, 10) for D = 0, 7200, 18000, 0, 0
  // -> 1, 2, 5, 1, 1; with a 2-hour lag G = min, min, 1, 2, 5.
  Cluster c = decode_bound(1, 1.0);
  c.autoscaled = true;
  c.min_gpus = 1;
  c.max_gpus = 10;
  c.lag_hours = 2;
  const std::vector<Workload> ws = {realtime("r")};
  ClusterRun run(c, ws, {0});
  run.reset();
  const double demand[] = {0, 7200, 18000, 0, 0};
  const int expected[] = {1, 1, 1, 2, 5};
  for (int t = 0; t < 5; ++t) {
    run.step(t, {{1, 0, demand[t]}});
    EXPECT_EQ(run.gpus(), expected[t]) << "hour " << t;
  }
  // Hour 1 had 7200 s of demand on 1 GPU: half turned away.
  run.reset();
  run.step(0, {{1, 0, 0}});
  run.step(1, {{10, 0, 7200}});
  EXPECT_DOUBLE_EQ(run.turned_away()[0].requests, 5);
}

TEST(ClusterRun, AutoscaleWithoutLagAndMaxCap) {
  Cluster c = decode_bound(1, 0.5);
  c.autoscaled = true;
  c.min_gpus = 0;
  c.max_gpus = 3;
  const std::vector<Workload> ws = {realtime("r")};
  ClusterRun run(c, ws, {0});
  run.reset();
  run.step(0, {{1, 0, 1801}});  // ceil(1801 / 1800) = 2
  EXPECT_EQ(run.gpus(), 2);
  run.step(1, {{1, 0, 1e6}});  // capped at max
  EXPECT_EQ(run.gpus(), 3);
  run.step(2, {{0, 0, 0}});  // min 0
  EXPECT_EQ(run.gpus(), 0);
}

TEST(ClusterRun, NoCapacityBeforeAvailableMonth) {
  Cluster c = decode_bound(4, 1.0);
  c.available_from_month = 1;
  const std::vector<Workload> ws = {realtime("r")};
  ClusterRun run(c, ws, {0});
  run.reset();
  run.step(729, {{3, 0, 10}});
  EXPECT_EQ(run.gpus(), 0);
  EXPECT_DOUBLE_EQ(run.turned_away()[0].requests, 3);
  run.step(730, {{3, 0, 10}});
  EXPECT_EQ(run.gpus(), 4);
  EXPECT_DOUBLE_EQ(run.turned_away()[0].requests, 0);
}

TEST(FixedCosts, SetupOpsStaffAndRevalidationMonths) {
  FixedCosts f;
  f.setup = 100;
  f.ops_per_month = 10;
  f.staff_fte = 0.5;
  f.staff_annual_cost = 24000;  // 0.5 * 24000 / 12 = 1000 a month
  f.revalidation_every_months = 3;
  f.revalidation_cost = 50;
  EXPECT_DOUBLE_EQ(f.in_month(0), 1110);
  EXPECT_DOUBLE_EQ(f.in_month(1), 1010);
  EXPECT_DOUBLE_EQ(f.in_month(2), 1010);
  EXPECT_DOUBLE_EQ(f.in_month(3), 1060);
  EXPECT_DOUBLE_EQ(f.in_month(6), 1060);
}

}  // namespace
}  // namespace breakeven
