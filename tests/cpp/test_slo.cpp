// SLO rate ceilings (slo.hpp): the bisection agrees with the latency table's own
// max_rate_within, meets the slo at the ceiling and misses it just above, and the
// server and mix a cluster's routed workloads make.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "breakeven/latency.hpp"
#include "breakeven/slo.hpp"

namespace breakeven {
namespace {

ServingProfile chat_server(int replicas) {
  ServingProfile s;
  s.prefill_tokens_per_s = 8000;
  s.decode_tokens_per_s = 900;
  s.max_batch = 64;
  s.replicas = replicas;
  return s;
}

RequestMix chat_mix(double dispersion) {
  RequestMix m;
  m.input_mean = 1000, m.input_sd = 500, m.output_mean = 300, m.output_sd = 150;
  m.minute_dispersion = dispersion;
  return m;
}

bool meets(const ServingProfile& s, RequestMix m, double rate, const Slo& slo) {
  m.requests_per_hour = rate;
  const LatencyPercentiles p = serving_latency(s, m);
  return p.ttft_p95 <= slo.ttft_p95_s && p.tpot_p95 <= slo.tpot_p95_s;
}

TEST(SloCeiling, IsWhereTheModelCrossesTheLimitAndAgreesWithTheTable) {
  const double inf = std::numeric_limits<double>::infinity();
  for (double dispersion : {1.0, 3.0})
    for (int replicas : {1, 4})
      for (const Slo& slo : {Slo{1.0, inf}, Slo{inf, 0.08}, Slo{2.0, 0.075}}) {
        const ServingProfile s = chat_server(replicas);
        const RequestMix m = chat_mix(dispersion);
        const double capacity = serving_capacity_per_hour(s, m);
        const double ceiling = slo_ceiling(s, m, slo);
        ASSERT_GT(ceiling, 0.0);
        EXPECT_TRUE(meets(s, m, ceiling, slo));
        EXPECT_FALSE(meets(s, m, ceiling + capacity / 2048, slo));
        // The table interpolates between 64 loads: the same crossing within 2%
        // of capacity.
        const double table = LatencyCurve(s, m).max_rate_within(slo.ttft_p95_s,
                                                                slo.tpot_p95_s);
        EXPECT_NEAR(ceiling / capacity, table / capacity, 0.02)
            << "dispersion " << dispersion << ", replicas " << replicas;
      }
}

TEST(SloCeiling, IsZeroWhenAnIdleServerMissesAndNearCapacityWhenNothingBinds) {
  const double inf = std::numeric_limits<double>::infinity();
  const ServingProfile s = chat_server(2);
  const RequestMix m = chat_mix(1.0);
  // A full batch's decode step is 64 / 900 s = 71 ms: a 10 ms TPOT is never met.
  EXPECT_EQ(slo_ceiling(s, m, Slo{inf, 0.010}), 0.0);
  const double capacity = serving_capacity_per_hour(s, m);
  EXPECT_NEAR(slo_ceiling(s, m, Slo{inf, inf}), capacity * (1.0 - 1.0 / 4096), 1e-9);
}

TEST(SloCeiling, RoutedMixIsTheRateWeightedMixture) {
  Workload a, b;
  a.requests_per_hour = 300, a.input = {1000, 0}, a.output = {100, 0};
  a.spikiness.minute_dispersion = 1;
  b.requests_per_hour = 200, b.input = {2000, 0}, b.output = {300, 0};
  b.spikiness.minute_dispersion = 21;
  // b sends half its requests: 300 of a, 100 of b.
  const RequestMix m = routed_mix({a, b}, {0, 1}, {1.0, 0.5});
  EXPECT_DOUBLE_EQ(m.input_mean, (300 * 1000 + 100 * 2000) / 400.0);
  EXPECT_NEAR(m.input_sd, std::sqrt(0.75 * 0.25) * 1000, 1e-9);  // p(1-p) (2000-1000)^2
  EXPECT_DOUBLE_EQ(m.output_mean, 150.0);
  EXPECT_DOUBLE_EQ(m.minute_dispersion, (300 * 1 + 100 * 21) / 400.0);
}

TEST(SloCeiling, ClusterServerIsAReplicaOfItsGpus) {
  Cluster c;
  c.prefill_tokens_per_s = 5000, c.decode_tokens_per_s = 1000, c.replica_gpus = 2;
  const ServingProfile s = cluster_server(c, 3);
  EXPECT_EQ(s.prefill_tokens_per_s, 10000);
  EXPECT_EQ(s.decode_tokens_per_s, 2000);
  EXPECT_EQ(s.max_batch, 64);  // the default serving concurrency
  EXPECT_EQ(s.replicas, 3);
  EXPECT_EQ(s.lone_tpot_s, 0.0);
}

}  // namespace
}  // namespace breakeven
