#include <gtest/gtest.h>

#include <cmath>

#include <algorithm>
#include <cstdint>

#include "breakeven/calendar.hpp"
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

// Serves hour t alone: a block of one hour.
void step(ClusterRun& run, int t, const std::vector<Slice>& demand) {
  std::vector<HourlySlices> hourly;
  for (const Slice& s : demand) hourly.push_back({&s.requests, &s.variable_input, &s.output});
  run.serve(t, 1, hourly);
}

TEST(GpuSeconds, PrefillWithPrefixReuseAndDecode) {
  Cluster c;
  c.prefill_tokens_per_s = 1000;
  c.decode_tokens_per_s = 100;
  c.prefix_reuse = 0.5;
  Workload w;
  w.prefix_tokens = 100;
  // (V + n P (1 - reuse)) / prefill + O / decode = (1000 + 500) / 1000 + 50 / 100
  EXPECT_DOUBLE_EQ(ServiceTime(c, w, {c.prefix_reuse, 0}).seconds({10, 1000, 50}), 2.0);
}

// 10 prefixes of 1,000 tokens, 600 requests an hour: 1 a minute per prefix.
Workload ten_prefixes() {
  Workload w;
  w.requests_per_hour = 600;
  w.prefix_tokens = 1000;
  w.prefix_variants = 10;
  w.input = {3000, 0};
  return w;
}

TEST(ServerPrefixCache, LruAsTheTtlThatFillsIt) {
  // Kept tokens 10,000 (1 - exp(-T)) fill 5,000 at T = ln 2, where half the
  // requests find their prefix.
  const Workload w = ten_prefixes();
  const double t = server_cache_minutes({&w}, 5000);
  EXPECT_NEAR(t, std::log(2.0), 1e-7);
  EXPECT_NEAR(server_reuse(w, t).prefix_share, 0.5, 1e-7);
  EXPECT_EQ(server_reuse(w, t).variable_share, 0.0);
  // Room for everything: kept as long as the engine's longest TTL.
  EXPECT_EQ(server_cache_minutes({&w}, 1e9), limits::kMaxCacheTtlMinutes);
}

TEST(ServerPrefixCache, ConversationsShareTheMemory) {
  // A conversation workload beside the prefixes: the same memory keeps less of
  // each, and its variable input is partly read from cache.
  const Workload p = ten_prefixes();
  Workload chat;
  chat.requests_per_hour = 120;
  chat.input = {3500, 0};
  Conversation c;
  c.mean_turns = 4;
  c.gap_cdf = {{5.0, 0.8}};
  c.history_tokens_per_turn = 1000;
  chat.conversation = c;
  const double alone = server_cache_minutes({&p}, 50000);
  const double shared = server_cache_minutes({&p, &chat}, 50000);
  EXPECT_LT(shared, alone);
  const ServerReuse r = server_reuse(chat, shared);
  EXPECT_GT(r.variable_share, 0.0);
  EXPECT_LE(r.variable_share, 0.6 + 1e-12);  // at most the provider's share at any TTL
}

TEST(ClusterRun, RealTimeOverloadTurnsAwayTheSameFraction) {
  // 1 GPU at u = 0.5: 1800 GPU-seconds; demand 2400 + 1200 = 3600 -> half turned away.
  const Cluster c = decode_bound(1, 0.5);
  const std::vector<Workload> ws = {realtime("a"), realtime("b")};
  ClusterRun run(c, ws, {0, 1});
  run.reset();
  step(run, 0, {{24, 0, 2400}, {12, 0, 1200}});
  EXPECT_EQ(run.gpus()[0], 1);
  EXPECT_DOUBLE_EQ(run.served_requests(0)[0], 12);
  EXPECT_DOUBLE_EQ(run.served_requests(1)[0], 6);
  EXPECT_DOUBLE_EQ(run.served_seconds(0)[0] + run.served_seconds(1)[0], 1800);
  EXPECT_DOUBLE_EQ(run.turned_away(0).requests[0], 12);
  EXPECT_DOUBLE_EQ(run.turned_away(0).output[0], 1200);
  EXPECT_DOUBLE_EQ(run.turned_away(1).output[0], 600);
}

TEST(ClusterRun, BacklogServedEarliestDeadlineFirst) {
  // Capacity 3600/h. Hour 0: a (deadline 2 h) brings 3000 s, b (deadline 1 h) 2000 s.
  // b is due first: all 2000 served, a gets the 1600 left; a's 1400 follow in hour 1.
  const Cluster c = decode_bound(1, 1.0);
  const std::vector<Workload> ws = {batch("a", 2), batch("b", 1)};
  ClusterRun run(c, ws, {0, 1});
  run.reset();
  step(run, 0, {{30, 0, 3000}, {20, 0, 2000}});
  EXPECT_DOUBLE_EQ(run.served_seconds(1)[0], 2000);
  EXPECT_DOUBLE_EQ(run.served_seconds(0)[0], 1600);
  EXPECT_DOUBLE_EQ(run.served_requests(0)[0], 16);
  EXPECT_DOUBLE_EQ(run.turned_away(0).requests[0] + run.turned_away(1).requests[0], 0);
  step(run, 1, {{0, 0, 0}, {0, 0, 0}});
  EXPECT_DOUBLE_EQ(run.served_seconds(0)[0], 1400);
  EXPECT_DOUBLE_EQ(run.served_requests(0)[0], 14);
  EXPECT_DOUBLE_EQ(run.turned_away(0).requests[0], 0);
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
  step(run, 0, {{26, 0, 2600}, {30, 0, 3000}, {20, 0, 2000}});
  EXPECT_DOUBLE_EQ(run.served_seconds(0)[0], 2600);
  EXPECT_DOUBLE_EQ(run.served_seconds(2)[0], 1000);
  EXPECT_DOUBLE_EQ(run.turned_away(2).requests[0], 10);
  EXPECT_DOUBLE_EQ(run.turned_away(2).output[0], 1000);
  EXPECT_DOUBLE_EQ(run.served_seconds(1)[0], 0);
  EXPECT_DOUBLE_EQ(run.turned_away(1).requests[0], 0);
  step(run, 1, {{26, 0, 2600}, {0, 0, 0}, {0, 0, 0}});
  EXPECT_DOUBLE_EQ(run.served_seconds(1)[0], 1000);
  EXPECT_DOUBLE_EQ(run.turned_away(1).requests[0], 20);
  EXPECT_DOUBLE_EQ(run.turned_away(1).output[0], 2000);
  step(run, 2, {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}});
  EXPECT_DOUBLE_EQ(run.served_seconds(1)[0] + run.turned_away(1).requests[0], 0);
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
    step(run, t, {{1, 0, demand[t]}});
    EXPECT_EQ(run.gpus()[0], expected[t]) << "hour " << t;
  }
  // Hour 1 had 7200 s of demand on 1 GPU: half turned away.
  run.reset();
  step(run, 0, {{1, 0, 0}});
  step(run, 1, {{10, 0, 7200}});
  EXPECT_DOUBLE_EQ(run.turned_away(0).requests[0], 5);
}

TEST(ClusterRun, AutoscaleWithoutLagAndMaxCap) {
  Cluster c = decode_bound(1, 0.5);
  c.autoscaled = true;
  c.min_gpus = 0;
  c.max_gpus = 3;
  const std::vector<Workload> ws = {realtime("r")};
  ClusterRun run(c, ws, {0});
  run.reset();
  step(run, 0, {{1, 0, 1801}});  // ceil(1801 / 1800) = 2
  EXPECT_EQ(run.gpus()[0], 2);
  step(run, 1, {{1, 0, 1e6}});  // capped at max
  EXPECT_EQ(run.gpus()[0], 3);
  step(run, 2, {{0, 0, 0}});  // min 0
  EXPECT_EQ(run.gpus()[0], 0);
}

TEST(ClusterRun, AutoscaleInWholeReplicas) {
  // Replicas of 4 GPUs, u = 1: desired = clamp(4 ceil(D / (3600 4)), 4, 12):
  // D = 3600 (one GPU's worth) -> 4, 18000 (5 GPUs) -> 8, 1e6 -> 12 (max).
  Cluster c = decode_bound(4, 1.0);
  c.autoscaled = true;
  c.max_gpus = 12;
  c.replica_gpus = 4;
  const std::vector<Workload> ws = {realtime("r")};
  ClusterRun run(c, ws, {0});
  run.reset();
  const double demand[] = {3600, 18000, 1e6, 0};
  const int expected[] = {4, 8, 12, 4};
  for (int t = 0; t < 4; ++t) {
    step(run, t, {{1, 0, demand[t]}});
    EXPECT_EQ(run.gpus()[0], expected[t]) << "hour " << t;
  }
}

TEST(ClusterRun, NoCapacityBeforeAvailableMonth) {
  Cluster c = decode_bound(4, 1.0);
  c.available_from_month = 1;
  const std::vector<Workload> ws = {realtime("r")};
  ClusterRun run(c, ws, {0});
  run.reset();
  step(run, 729, {{3, 0, 10}});
  EXPECT_EQ(run.gpus()[0], 0);
  EXPECT_DOUBLE_EQ(run.turned_away(0).requests[0], 3);
  step(run, 730, {{3, 0, 10}});
  EXPECT_EQ(run.gpus()[0], 4);
  EXPECT_DOUBLE_EQ(run.turned_away(0).requests[0], 0);
}

TEST(ClusterRun, BacklogThatNeverDrainsForMonths) {
  // One GPU (3600 s an hour) against 7200 s of batch arrivals every hour for three
  // months, then 10 quiet hours: every hour serves exactly 3600 s until the last
  // arrivals' 3-hour deadlines have passed, and every request is served or expires.
  const Cluster c = decode_bound(1, 1.0);
  const std::vector<Workload> ws = {batch("a", 3)};
  ClusterRun run(c, ws, {0});
  run.reset();
  const int busy = 3 * kHoursPerMonth, hours = busy + 10;
  std::vector<double> n(hours, 0.0), v(hours, 0.0), o(hours, 0.0);
  std::fill_n(n.begin(), busy, 64.0);
  std::fill_n(o.begin(), busy, 7200.0);
  double served = 0, away = 0;
  for (int t = 0; t < hours;) {
    const int len = std::min(kHoursPerMonth, hours - t);
    run.serve(t, len, {{&n[t], &v[t], &o[t]}});
    for (int h = 0; h < len; ++h) {
      EXPECT_EQ(run.served_seconds(0)[h], t + h < busy + 2 ? 3600 : 0) << t + h;
      served += run.served_requests(0)[h];
      away += run.turned_away(0).requests[h];
    }
    t += len;
  }
  EXPECT_DOUBLE_EQ(served, 32.0 * (busy + 2));
  EXPECT_DOUBLE_EQ(served + away, 64.0 * busy);
}

// Where the blocks of hours begin and end is invisible: serving month by month
// gives the same bits as hour by hour or in ragged blocks, across the autoscaler's
// lag, the backlog, a commitment, spot outages and a late start. Every request is
// served or turned away once the backlog has drained.
TEST(ClusterRun, BlocksOfHoursAreInvisible) {
  Cluster c = decode_bound(1, 0.8);
  c.prefill_tokens_per_s = 4000;
  c.autoscaled = true;
  c.min_gpus = 1;
  c.max_gpus = 6;
  c.lag_hours = 5;
  c.available_from_month = 1;
  c.commitment = Commitment{2, 1.0, 1, 1, false};
  c.spot = Spot{2, 0.5, 3.0, 4};
  const std::vector<Workload> ws = {realtime("r"), batch("a", 24), batch("b", 5)};
  const int months = 3, hours = months * kHoursPerMonth, quiet = 30;
  // Demand around the cluster's size (~2 GPUs' worth), silent for the last hours.
  std::vector<std::vector<double>> n(3), v(3), o(3);
  std::vector<std::uint8_t> spot_down(hours);
  std::uint64_t x = 12345;
  auto uniform = [&x] {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return double(x >> 11) * 0x1.0p-53;
  };
  for (int k = 0; k < 3; ++k)
    for (int t = 0; t < hours; ++t) {
      const bool on = t < hours - quiet && uniform() < 0.9;
      n[k].push_back(on ? 50 * uniform() : 0);
      v[k].push_back(n[k].back() * 2000 * uniform());
      o[k].push_back(n[k].back() * 40 * uniform());
    }
  for (int t = 0; t < hours; ++t) spot_down[t] = uniform() < 0.1;

  struct Hourly {
    std::vector<double> gpus, spot;
    std::vector<std::vector<double>> served, seconds, away_n, away_v, away_o;
  };
  auto run_in_blocks = [&](auto next_block) {
    ClusterRun run(c, ws, {0, 1, 2});
    run.reset();
    Hourly got;
    got.served = got.seconds = got.away_n = got.away_v = got.away_o =
        std::vector<std::vector<double>>(3);
    for (int t = 0; t < hours;) {
      const int len = std::min(next_block(t), (t / kHoursPerMonth + 1) * kHoursPerMonth - t);
      std::vector<HourlySlices> demand;
      for (int k = 0; k < 3; ++k) demand.push_back({&n[k][t], &v[k][t], &o[k][t]});
      run.serve(t, len, demand, &spot_down[t]);
      for (int h = 0; h < len; ++h) {
        got.gpus.push_back(run.gpus()[h]);
        got.spot.push_back(run.spot_gpus()[h]);
        for (int k = 0; k < 3; ++k) {
          got.served[k].push_back(run.served_requests(k)[h]);
          got.seconds[k].push_back(run.served_seconds(k)[h]);
          got.away_n[k].push_back(run.turned_away(k).requests[h]);
          got.away_v[k].push_back(run.turned_away(k).variable_input[h]);
          got.away_o[k].push_back(run.turned_away(k).output[h]);
        }
      }
      t += len;
    }
    return got;
  };
  const Hourly months_ = run_in_blocks([](int) { return kHoursPerMonth; });
  const Hourly single = run_in_blocks([](int) { return 1; });
  const Hourly ragged = run_in_blocks([](int t) { return 1 + (t * 7919) % 97; });
  for (const Hourly* other : {&single, &ragged}) {
    EXPECT_EQ(other->gpus, months_.gpus);
    EXPECT_EQ(other->spot, months_.spot);
    EXPECT_EQ(other->served, months_.served);
    EXPECT_EQ(other->seconds, months_.seconds);
    EXPECT_EQ(other->away_n, months_.away_n);
    EXPECT_EQ(other->away_v, months_.away_v);
    EXPECT_EQ(other->away_o, months_.away_o);
  }

  // Month 0: no GPUs. Later: at least the committed 2 (in the term) or min, at
  // most max, plus spot unless down; some hours overloaded.
  double turned = 0, served = 0;
  for (int t = 0; t < hours; ++t) {
    const double g = months_.gpus[t];
    if (t < kHoursPerMonth) {
      EXPECT_EQ(g, 0) << t;
      continue;
    }
    EXPECT_EQ(months_.spot[t], spot_down[t] ? 0 : 2) << t;
    EXPECT_GE(g - months_.spot[t], t < 2 * kHoursPerMonth ? 2 : 1) << t;
    EXPECT_LE(g - months_.spot[t], 6) << t;
  }
  for (int k = 0; k < 3; ++k) {
    double demanded = 0, served_k = 0, away_k = 0;
    for (int t = 0; t < hours; ++t) {
      demanded += n[k][t];
      served_k += months_.served[k][t];
      away_k += months_.away_n[k][t];
    }
    EXPECT_NEAR(served_k + away_k, demanded, 1e-9 * demanded) << "workload " << k;
    EXPECT_GT(served_k, 0.5 * demanded) << "workload " << k;
    turned += away_k;
    served += served_k;
  }
  EXPECT_GT(turned, 0.01 * (turned + served));
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
