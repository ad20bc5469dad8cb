// The fast serving-latency model (latency.hpp) against the request-level replay
// of the same server (serving_des.hpp), and against the published latency-under-
// load curve (../shared/reference/prices-2026.md, NIM, Llama 3.3 70B on 2x H100).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "breakeven/errors.hpp"
#include "breakeven/latency.hpp"
#include "breakeven/limits.hpp"
#include "breakeven/serving_des.hpp"

namespace breakeven {
namespace {

ServingProfile server(double prefill, double decode, int batch, int replicas,
                      double lone) {
  ServingProfile s;
  s.prefill_tokens_per_s = prefill;
  s.decode_tokens_per_s = decode;
  s.max_batch = batch;
  s.replicas = replicas;
  s.lone_tpot_s = lone;
  return s;
}

RequestMix sizes(double in, double in_sd, double out, double out_sd,
                 double dispersion) {
  RequestMix m;
  m.input_mean = in, m.input_sd = in_sd, m.output_mean = out, m.output_sd = out_sd;
  m.minute_dispersion = dispersion;
  return m;
}

// The nearest-rank-above quantile of the values that are not NaN.
double quantile(const std::vector<double>& v, double q) {
  std::vector<double> w;
  for (double x : v)
    if (!std::isnan(x)) w.push_back(x);
  std::sort(w.begin(), w.end());
  return w[std::size_t(std::ceil(q * (w.size() - 1)))];
}

// `hours` hours drawn one after another and replayed as one trace; the first
// half hour (a server starting empty) is left out of the percentiles.
ReplayTimes replay_hours(const ServingProfile& s, const RequestMix& m, int hours,
                         std::size_t* warm_up) {
  std::vector<ReplayRequest> all;
  for (int h = 0; h < hours; ++h)
    for (ReplayRequest r : draw_hour(m, 1000 + h)) {
      r.arrival_s += 3600.0 * h;
      all.push_back(r);
    }
  *warm_up = std::size_t(std::lower_bound(all.begin(), all.end(), 1800.0,
                                          [](const ReplayRequest& r, double t) {
                                            return r.arrival_s < t;
                                          }) -
                         all.begin());
  return replay_requests(s, all, 7);
}

struct Case {
  const char* name;
  ServingProfile server;
  RequestMix mix;
  std::vector<double> loads;
  int hours;
};

// p95 TTFT of the model within 10% of the replay's (issue 24 item 4). The table
// is printed for docs/model.md "Serving latency".
void expect_agreement(const Case& c) {
  for (double load : c.loads) {
    RequestMix m = c.mix;
    m.requests_per_hour = load * serving_capacity_per_hour(c.server, m);
    std::size_t warm_up = 0;
    const ReplayTimes times = replay_hours(c.server, m, c.hours, &warm_up);
    const std::vector<double> ttft(times.ttft.begin() + warm_up, times.ttft.end());
    const double replayed = quantile(ttft, 0.95);
    const double modelled = serving_latency(c.server, m).ttft_p95;
    std::printf("%-28s load %.2f  model %8.3f s  replay %8.3f s  %+6.1f%%\n", c.name,
                load, modelled, replayed, 100.0 * (modelled / replayed - 1.0));
    EXPECT_NEAR(modelled / replayed, 1.0, 0.10) << c.name << " at load " << load;
  }
}

// Every cell within 10%. Near saturation the replay's p95 moves by 10-20% between
// samples of a day or less, so the bursty prompt-heavy server is replayed for 48
// hours and the chat server for 144. docs/model.md "Serving latency" has the
// table, and two more samples of each cell.
const std::vector<double> kAllLoads = {0.3, 0.5, 0.7, 0.8, 0.9, 0.95};

// A long-prompt server (prefill 60% of the work): 4 replicas of 128 slots,
// lognormal sizes.
TEST(ServingLatency, AgreesWithTheReplayPromptHeavyPoisson) {
  expect_agreement({"prompt-heavy, Poisson", server(20000, 3000, 128, 4, 0.0),
                    sizes(2000, 1500, 200, 150, 1.0), kAllLoads, 8});
}

TEST(ServingLatency, AgreesWithTheReplayPromptHeavyBursty) {
  expect_agreement({"prompt-heavy, dispersion 3", server(20000, 3000, 128, 4, 0.0),
                    sizes(2000, 1500, 200, 150, 3.0), kAllLoads, 48});
}

// A chat server (decode 70% of the work), one replica of 64 slots whose step
// grows with the batch from a lone sequence's 18.6 ms.
TEST(ServingLatency, AgreesWithTheReplayChatPoisson) {
  expect_agreement({"chat, Poisson", server(8000, 900, 64, 1, 0.0186),
                    sizes(1000, 500, 300, 150, 1.0), kAllLoads, 144});
}

TEST(ServingLatency, AgreesWithTheReplayChatBursty) {
  expect_agreement({"chat, dispersion 3", server(8000, 900, 64, 1, 0.0186),
                    sizes(1000, 500, 300, 150, 3.0), kAllLoads, 144});
}

// The published curve: NIM, Llama 3.3 70B FP8 on 2x H100, 5000 in / 500 out, by
// concurrency: TTFT 0.41 / 0.69 / 0.83 / 8.0 / 88.6 s and 18.6 / 38.8 / 59.7 / 93
// ms per output token at 1 / 25 / 50 / 100 / 250; 52 / 623 / 814 / 917 / 920
// output tokens/s. The pair as one replica: a lone prompt's 0.41 s gives prefill
// 12,200 tokens/s; saturation at 920 output tokens/s (1.84 requests/s) leaves
// decode 3,750 tokens/s at a full batch of 100; a lone step 18.6 ms.
TEST(ServingLatency, ReproducesThePublishedCurve) {
  const ServingProfile pair = server(12200, 3750, 100, 1, 0.0186);
  RequestMix m = sizes(5000, 0, 500, 0, 1.0);
  const double capacity = serving_capacity_per_hour(pair, m);
  EXPECT_NEAR(capacity / 3600.0 * 500.0, 920.0, 5.0);
  auto at = [&](double load) {
    m.requests_per_hour = load * capacity;
    return serving_latency(pair, m);
  };
  // Concurrency 25 and 50 ran at 623 / 920 and 814 / 920 of the saturated rate.
  const LatencyPercentiles c25 = at(623.0 / 920.0), c50 = at(814.0 / 920.0);
  EXPECT_NEAR(at(52.0 / 920.0).tpot_p50, 0.0186, 0.0186 * 0.10);
  EXPECT_NEAR(c25.tpot_p50, 0.0388, 0.0388 * 0.25);
  EXPECT_NEAR(c50.tpot_p50, 0.0597, 0.0597 * 0.25);
  EXPECT_NEAR(c50.ttft_p50, 0.83, 0.83 * 0.15);
  // Monotone in the load (to the percentile solver's tolerance: these sizes are
  // fixed, so the TTFT's tail has steps), with the knee at saturation: flat to within
  // 2x up to 80%, tens of seconds at 99%, and no finite latency at capacity.
  double last = 0.0;
  for (double load = 0.05; load < 0.995; load += 0.01) {
    const LatencyPercentiles p = at(load);
    EXPECT_GE(p.ttft_p95, last * (1.0 - 1e-6))
        << load;  // the percentiles' solver: 1e-7
    last = p.ttft_p95;
  }
  EXPECT_LT(at(0.8).ttft_p50, 2.0 * at(0.05).ttft_p50);
  EXPECT_GT(at(0.99).ttft_p50, 8.0);
  EXPECT_TRUE(std::isinf(at(1.0).ttft_p95));
}

TEST(ServingLatency, IdleServerIsItsOwnPrefillAndLoneStep) {
  const ServingProfile s = server(10000, 1000, 32, 2, 0.02);
  RequestMix m = sizes(1000, 0, 100, 0, 1.0);
  m.requests_per_hour = 0.0;
  const LatencyPercentiles p = serving_latency(s, m);
  EXPECT_NEAR(p.ttft_p50, 0.1, 1e-3);
  EXPECT_NEAR(p.ttft_p95, 0.1, 1e-3);
  EXPECT_NEAR(p.tpot_p95, 0.02, 1e-3);
}

TEST(ServingLatency, CurveReadsTheModel) {
  const ServingProfile s = server(8000, 900, 64, 1, 0.0186);
  const RequestMix m = sizes(1000, 500, 300, 150, 3.0);
  const LatencyCurve curve(s, m);
  for (double load : {0.2, 0.6, 0.85}) {
    RequestMix at = m;
    at.requests_per_hour = load * curve.capacity_per_hour();
    const LatencyPercentiles direct = serving_latency(s, at);
    const LatencyPercentiles read = curve.at(at.requests_per_hour);
    EXPECT_NEAR(read.ttft_p95 / direct.ttft_p95, 1.0, 0.02) << load;
    EXPECT_NEAR(read.tpot_p50 / direct.tpot_p50, 1.0, 0.02) << load;
  }
  EXPECT_TRUE(std::isinf(curve.at(curve.capacity_per_hour()).ttft_p95));
  // An SLO as a rate: the hour at that rate reads exactly the limit, just above
  // it breaches, and the tighter limit of the two binds.
  const double rate = curve.max_rate_within(0.5, 1.0);
  EXPECT_NEAR(curve.at(rate).ttft_p95, 0.5, 1e-9);
  EXPECT_GT(curve.at(rate * 1.001).ttft_p95, 0.5);
  const double tpot_rate = curve.max_rate_within(100.0, 0.05);
  EXPECT_NEAR(curve.at(tpot_rate).tpot_p95, 0.05, 1e-9);
  EXPECT_EQ(curve.max_rate_within(0.5, 0.05), std::min(rate, tpot_rate));
  EXPECT_EQ(curve.max_rate_within(0.01, 1.0), 0.0);  // faster than a lone prompt
}

TEST(ServingReplay, LoneRequestClosedForm) {
  // 1000 prompt tokens at 10,000/s, then 9 steps of 20 ms.
  const ReplayTimes t =
      replay_requests(server(10000, 1000, 32, 1, 0.02), {{5.0, 1000, 10}}, 1);
  EXPECT_NEAR(t.ttft[0], 0.1, 1e-12);
  EXPECT_NEAR(t.tpot[0], 0.02, 1e-12);
  // One output token: the prefill gives it; no TPOT.
  EXPECT_TRUE(std::isnan(
      replay_requests(server(10000, 1000, 32, 1, 0.02), {{0, 10, 1}}, 1).tpot[0]));
}

TEST(ServingReplay, SlotsQueueAndBatchesShareSteps) {
  // One slot: the second request waits for the first to finish (0.1 s prefill +
  // 4 steps of 1/1000 s), then its own prefill.
  const ServingProfile one = server(10000, 1000, 1, 1, 0.0);
  const ReplayTimes t = replay_requests(one, {{0, 1000, 5}, {0, 1000, 5}}, 1);
  EXPECT_NEAR(t.ttft[0], 0.1, 1e-12);
  EXPECT_NEAR(t.ttft[1], 0.1 + 4 * 0.001 + 0.1, 1e-12);
}

TEST(ServingReplay, DeterministicGivenTheSeed) {
  const ServingProfile s = server(20000, 3000, 16, 3, 0.0);
  RequestMix m = sizes(2000, 1500, 200, 150, 3.0);
  m.requests_per_hour = 0.7 * serving_capacity_per_hour(s, m);
  const auto hour = draw_hour(m, 5);
  EXPECT_EQ(hour.size(), draw_hour(m, 5).size());
  EXPECT_NE(hour.front().arrival_s, draw_hour(m, 6).front().arrival_s);
  EXPECT_EQ(replay_requests(s, hour, 9).ttft, replay_requests(s, hour, 9).ttft);
}

TEST(ServingReplay, DrawnHourHasTheMixsRateAndDispersion) {
  RequestMix m = sizes(1000, 500, 300, 150, 4.0);
  m.requests_per_hour = 60000;
  double sum = 0, square = 0;
  const int hours = 40;
  for (int h = 0; h < hours; ++h) {
    std::vector<double> minutes(60, 0.0);
    for (const ReplayRequest& r : draw_hour(m, h))
      minutes[int(r.arrival_s / 60.0)] += 1;
    for (double c : minutes) sum += c, square += c * c;
  }
  const double mean = sum / (60 * hours),
               variance = square / (60 * hours) - mean * mean;
  EXPECT_NEAR(mean, 1000.0, 15.0);
  EXPECT_NEAR(variance / mean, 4.0, 0.8);
}

TEST(ServingReplay, RefusesBadInput) {
  const ServingProfile s = server(10000, 1000, 8, 1, 0.0);
  auto reason = [&](auto&& call) {
    try {
      call();
    } catch (const OptionError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(
      reason([&] { replay_requests(s, {{1.0, 10, 2}, {0.5, 10, 2}}, 1); }),
      "requests[1].arrival_s: must be finite and not before the previous request's");
  EXPECT_EQ(reason([&] { replay_requests(s, {{0, 10, 2.5}}, 1); }),
            "requests[0].output_tokens: must be a whole number in [1, 1e8]");
  RequestMix m = sizes(100, 0, 10, 0, 1.0);
  m.requests_per_hour = 2.0 * limits::kMaxReplayRequests;
  EXPECT_EQ(reason([&] {
              draw_hour(m, 1);
            }).rfind("requests: a replay serves at most 10000000", 0),
            0u);
  EXPECT_EQ(reason([&] {
              serving_latency(server(10000, 1000, 0, 1, 0.0), sizes(1, 0, 1, 0, 1));
            }),
            "serving.max_batch: must be in [1, 100000]");
  EXPECT_EQ(
      reason([&] {
        serving_latency(server(10000, 1000, 8, 1, 0.5), sizes(1, 0, 1, 0, 1));
      })
          .rfind("serving.lone_tpot_s: must be in [0, max_batch / decode_tokens_per_s",
                 0),
      0u);
}

}  // namespace
}  // namespace breakeven
