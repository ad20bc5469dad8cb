// Serving latency of a continuous-batching LLM server (vLLM-like), docs/model.md
// "Serving latency": TTFT and TPOT percentiles of an hour's requests from the
// server's throughput, its batch size and the hour's arrivals.
//
// The server is the one serving_des.hpp replays request by request: R replicas
// behind one FIFO queue, each with max_batch sequence slots; a replica runs one
// iteration at a time, a prefill of every request admitted since its last
// iteration began (first tokens at its end) before any further decode step, or
// else one decode step of all its running sequences. The fast model here is a
// queueing approximation of it, cheap enough to tabulate per run (LatencyCurve)
// and read per hour.
#pragma once

#include <vector>

namespace breakeven {

// What a replica can do. Plain numbers so that any source of them composes: typed
// rates, a serving catalog entry, a measured curve.
struct ServingProfile {
  double prefill_tokens_per_s = 0.0;  // per replica, prompt tokens
  double decode_tokens_per_s = 0.0;   // per replica, output tokens at a full batch
  int max_batch = 1;                  // sequences one replica decodes together
  int replicas = 1;
  // The decode step of a lone sequence (its TPOT on an idle replica), seconds; the
  // step grows linearly with the batch to max_batch / decode_tokens_per_s at a
  // full batch. 0: the step is that at every batch size (memory-bound decode).
  double lone_tpot_s = 0.0;

  // The decode step time with `batch` sequences running.
  double step_seconds(double batch) const;
  // Throws OptionError("serving", ...) when a value is out of its range.
  void validate() const;
};

// An hour's requests at one server.
struct RequestMix {
  double requests_per_hour = 0.0;
  // Token counts per request: lognormal with this mean and standard deviation
  // (sd 0: every request the same), at least 1.
  double input_mean = 0.0, input_sd = 0.0;
  double output_mean = 1.0, output_sd = 0.0;
  // Variance / mean of requests per minute (spikiness.minute_dispersion); 1 or
  // less: Poisson arrivals within the hour.
  double minute_dispersion = 1.0;

  void validate() const;
};

// Seconds. TPOT is the mean time between a request's output tokens after its
// first, over the requests with at least two output tokens.
struct LatencyPercentiles {
  double ttft_p50 = 0.0, ttft_p95 = 0.0;
  double tpot_p50 = 0.0, tpot_p95 = 0.0;
  // The hour's load: its requests' prefill and decode work over what the replicas
  // do at a full batch (1: saturated; the percentiles are infinite at or above 1).
  double load = 0.0;
};

// Requests per hour the server completes at a full batch, for this mix's sizes.
double serving_capacity_per_hour(const ServingProfile& server, const RequestMix& mix);

// The fast model (see the file comment): about 0.1 ms a call for Poisson
// arrivals, 1 ms for bursty ones (a mixture over the hour's minutes); a run reads
// it through a LatencyCurve.
LatencyPercentiles serving_latency(const ServingProfile& server, const RequestMix& mix);

// serving_latency tabulated over the load for one server and one mix's sizes and
// dispersion (64 loads, denser toward saturation), read for any hour's rate by
// linear interpolation (about 15 ns); past the last tabulated load, 1 - 1/64^2,
// the percentiles are infinite.
class LatencyCurve {
 public:
  LatencyCurve(const ServingProfile& server, const RequestMix& mix);
  LatencyPercentiles at(double requests_per_hour) const;
  double capacity_per_hour() const { return capacity_; }
  // The highest rate (requests per hour) whose p95 TTFT and p95 TPOT are within
  // these limits (seconds), as `at` reads them; 0 if none is. The percentiles
  // rise with the load, so an hour meets the SLO exactly when its rate is at
  // most this: one comparison an hour instead of a read of the table.
  double max_rate_within(double ttft_p95_s, double tpot_p95_s) const;

 private:
  double capacity_;
  std::vector<double> loads_;
  std::vector<LatencyPercentiles> points_;
};

}  // namespace breakeven
