// The serving catalog (python/breakeven/data/serving.json) and what a cluster's
// `serving:` resolves to: GPUs per replica from the memory the model needs, and
// per-GPU prefill and decode rates, measured where published and a roofline
// estimate otherwise (docs/model.md "Serving catalog and memory fit"). This is
// the one place a cluster's throughput comes from when it is not typed in.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "breakeven/json.hpp"

namespace breakeven {

namespace serving {
// A replica is tensor parallel within one node: 1, 2, 4 or 8 GPUs.
inline constexpr int kMaxGpusPerReplica = 8;
// The share of a GPU's memory weights and KV cache may take (vLLM's default
// gpu_memory_utilization); the rest is activations, CUDA graphs, fragmentation.
inline constexpr double kUsableMemoryShare = 0.9;
// Requests in flight per replica when a cluster does not say.
inline constexpr double kDefaultConcurrency = 64;
// Roofline efficiencies: the share of peak arithmetic a prefill (and a decode
// step's arithmetic) reaches, and the share of peak memory bandwidth a decode
// step reaches.
inline constexpr double kComputeEfficiency = 0.5;
inline constexpr double kBandwidthEfficiency = 0.7;
inline constexpr double kMaxConcurrency = 1e6;
}  // namespace serving

struct ServingPrecision {
  double weight_bytes = 2.0;  // per parameter
  double kv_bytes = 2.0;      // per KV element
};

struct ServingGpu {
  std::string name;
  double memory_gb = 0.0;
  double bandwidth_gb_s = 0.0;
  std::map<std::string, double> tflops;  // dense peak by precision; bf16 required
  std::string source, as_of;

  // Peak FLOP/s at a precision: its own arithmetic, or bf16 (weight-only).
  double flops(const std::string& precision) const;
};

struct ServingModel {
  double params_b = 0.0;         // total, billions
  double active_params_b = 0.0;  // per token (== params_b for a dense model)
  int layers = 0;
  int kv_heads = 0;
  int head_dim = 0;
  bool kv_latent = false;  // MLA: one latent of head_dim x kv_heads, no separate V
  std::string native_precision;  // the checkpoint's own (gpt-oss: mxfp4), if any
  std::string source, as_of;

  // KV cache elements per token over all layers.
  double kv_elements_per_token() const;
};

// One published figure: output tokens per second of the whole group of GPUs at a
// request shape.
struct ServingPoint {
  double input_tokens = 0.0;
  double output_tokens = 0.0;
  double output_tokens_per_s = 0.0;
};

struct MeasuredServing {
  std::string model, gpu, precision, engine, load, source, as_of;
  int gpus = 1;
  std::vector<ServingPoint> points;
};

struct ServingCatalog {
  std::map<std::string, ServingPrecision> precisions;
  std::map<std::string, ServingGpu> gpus;
  std::map<std::string, ServingModel> models;
  std::vector<MeasuredServing> measured;  // in file order: the first is preferred
};

// The catalog file, validated (an error names "serving.<path>").
ServingCatalog parse_serving_catalog(const Json& serving);

// Per-GPU token rates, the engine's prefill_tokens_per_s and decode_tokens_per_s.
struct TokenRates {
  double prefill = 0.0;
  double decode = 0.0;
};

// The roofline estimate for a replica of `gpus` GPUs serving `concurrency`
// requests of `context_tokens` (input + output) each:
//   prefill = e_c F / (2 N_active)
//   decode  = B / (g max(t_mem, t_flop)), one decode step of the replica taking
//     t_mem  = (min(N, B N_active) b_w + B L kv b_kv) / (g W e_b)
//     t_flop = 2 N_active B / (g F e_c)
// with F the GPU's peak FLOP/s at the precision, W its memory bandwidth.
TokenRates roofline_rates(const ServingModel& m, const ServingGpu& gpu,
                          const ServingPrecision& p, const std::string& precision,
                          int gpus, double concurrency, double context_tokens);

// The source line of a roofline estimate: the GPU's and the model's facts.
std::string estimate_source(const ServingGpu& gpu, const ServingModel& m);

// Output tokens per second of `gpus` GPUs at per-GPU rates r for requests of
// this shape: g out / (in / prefill + out / decode) (MODEL.md's GPU-seconds).
double group_output_rate(const TokenRates& r, int gpus, double input_tokens,
                         double output_tokens);

// Memory of one replica, in GB (1e9 bytes).
struct MemoryNeed {
  double weights_gb = 0.0;
  double kv_gb = 0.0;
  double total() const { return weights_gb + kv_gb; }
};
MemoryNeed memory_need(const ServingModel& m, const ServingPrecision& p,
                       double concurrency, double context_tokens);
// The fewest GPUs (1, 2, 4, 8) whose usable memory holds `need`; 0: none does.
int replica_gpus(const MemoryNeed& need, const ServingGpu& gpu);

// How a published figure (or a bench) moves the roofline: prefill is compute-bound
// and stays at the roofline; the decode rate is scaled by the factor that fits the
// points' GPU-seconds per request best (least squares):
//   S_i = g out_i / measured_i,  a_i = in_i / prefill,  b_i = out_i / decode_i
//   1 / decode_factor = sum b_i (S_i - a_i) / sum b_i^2
// with the roofline at each point's request size and the measured group of g GPUs.
// Where the roofline prefill alone is slower than the measurements (the factor
// would not be positive) both rates are scaled by the geometric mean of measured /
// roofline instead.
struct Calibration {
  double prefill = 1.0;
  double decode = 1.0;
};
Calibration calibration(const ServingModel& m, const ServingGpu& gpu,
                        const ServingPrecision& p, const std::string& precision, int gpus,
                        const std::vector<ServingPoint>& points);

// What a cluster's serving resolved to (shown in resolved(), the report and
// `breakeven models`).
struct Serving {
  std::string model, gpu, precision, engine;
  std::string basis;  // "measured", "estimate" or "bench"
  int gpus_per_replica = 1;
  double concurrency = serving::kDefaultConcurrency;
  double context_tokens = 0.0;
  MemoryNeed memory;
  double usable_gb = 0.0;    // of one replica
  Calibration calibration;   // of the roofline (1, 1 for an estimate)
  TokenRates rates;          // per GPU
  std::string source, as_of;
  Json curve = Json::array();  // a bench's points as given, for latency work
};

// Every measured entry and every model x GPU without one (at the model's native
// precision, else fp8 where the GPU has FP8 arithmetic, else bf16), resolved at
// the default concurrency: rows for `breakeven models`.
Json serving_catalog_rows(const Json& serving);

}  // namespace breakeven
