#include "breakeven/serving.hpp"

#include <algorithm>
#include <cmath>

#include "breakeven/limits.hpp"
#include "json_field.hpp"

namespace breakeven {
namespace {

using detail::Field;
namespace L = limits;

constexpr double kGB = 1e9;
constexpr double kBillion = 1e9;

ServingGpu parse_gpu(const Field& f) {
  f.allow_only({"name", "memory_gb", "bandwidth_gb_s", "tflops", "source", "as_of", "notes"});
  ServingGpu g;
  g.name = f.at("name").string();
  g.memory_gb = f.at("memory_gb").positive();
  g.bandwidth_gb_s = f.at("bandwidth_gb_s").positive();
  Field t = f.at("tflops");
  t.expect_object();
  for (const auto& k : t.keys()) g.tflops[k] = t.at(k).positive();
  t.at("bf16");  // every GPU has 16-bit arithmetic: the weight-only fallback
  g.source = f.at("source").string();
  g.as_of = f.at("as_of").string();
  return g;
}

ServingModel parse_model(const Field& f, const std::map<std::string, ServingPrecision>& ps) {
  f.allow_only({"params_b", "active_params_b", "layers", "kv_heads", "head_dim", "kv_latent",
                "native_precision", "source", "as_of", "notes"});
  ServingModel m;
  m.params_b = f.at("params_b").positive();
  m.active_params_b = m.params_b;
  if (auto a = f.find("active_params_b")) m.active_params_b = a->number_in(0, m.params_b);
  m.layers = int(f.at("layers").integer(1, 10000));
  m.kv_heads = int(f.at("kv_heads").integer(1, 10000));
  m.head_dim = int(f.at("head_dim").integer(1, 100000));
  if (auto k = f.find("kv_latent")) m.kv_latent = k->boolean();
  if (auto n = f.find("native_precision")) {
    m.native_precision = n->string();
    n->require(ps.count(m.native_precision), "unknown precision '" + m.native_precision + "'");
  }
  m.source = f.at("source").string();
  m.as_of = f.at("as_of").string();
  return m;
}

}  // namespace

double ServingGpu::flops(const std::string& precision) const {
  auto it = tflops.find(precision);
  return 1e12 * (it != tflops.end() ? it->second : tflops.at("bf16"));
}

double ServingModel::kv_elements_per_token() const {
  const double width = double(kv_heads) * head_dim;
  return layers * (kv_latent ? width : 2.0 * width);
}

ServingCatalog parse_serving_catalog(const Json& serving) {
  ServingCatalog c;
  if (serving.is_object() && serving.empty()) return c;
  Field root(serving, "serving");
  root.allow_only({"version", "notes", "precisions", "gpus", "models", "measured"});
  Field ps = root.at("precisions");
  for (const auto& name : ps.keys()) {
    Field p = ps.at(name);
    p.allow_only({"weight_bytes", "kv_bytes", "notes"});
    c.precisions[name] = {p.at("weight_bytes").number_in(0.1, 8),
                          p.at("kv_bytes").number_in(0.1, 8)};
  }
  Field gs = root.at("gpus");
  for (const auto& name : gs.keys()) c.gpus[name] = parse_gpu(gs.at(name));
  Field ms = root.at("models");
  for (const auto& name : ms.keys()) c.models[name] = parse_model(ms.at(name), c.precisions);
  Field es = root.at("measured");
  es.expect_array();
  for (std::size_t i = 0; i < es.size(); ++i) {
    Field e = es.item(i);
    e.allow_only({"model", "gpu", "precision", "engine", "gpus", "load", "points", "source",
                  "as_of", "notes"});
    MeasuredServing m;
    m.model = e.at("model").string();
    e.at("model").require(c.models.count(m.model), "unknown model '" + m.model + "'");
    m.gpu = e.at("gpu").string();
    e.at("gpu").require(c.gpus.count(m.gpu), "unknown GPU '" + m.gpu + "'");
    m.precision = e.at("precision").string();
    e.at("precision").require(c.precisions.count(m.precision),
                              "unknown precision '" + m.precision + "'");
    m.engine = e.at("engine").string();
    m.gpus = int(e.at("gpus").integer(1, 1024));
    m.load = e.at("load").string();
    m.source = e.at("source").string();
    m.as_of = e.at("as_of").string();
    Field pts = e.at("points");
    pts.expect_array();
    pts.require(pts.size() > 0, "give at least one point");
    for (std::size_t j = 0; j < pts.size(); ++j) {
      Field pt = pts.item(j);
      pt.allow_only({"input_tokens", "output_tokens", "output_tokens_per_s",
                     "total_tokens_per_s"});
      ServingPoint p;
      p.input_tokens = pt.at("input_tokens").number_in(0, L::kMaxTokensPerRequest);
      p.output_tokens = pt.at("output_tokens").number_in(1, L::kMaxTokensPerRequest);
      pt.require(pt.has("output_tokens_per_s") != pt.has("total_tokens_per_s"),
                 "give one of output_tokens_per_s, total_tokens_per_s");
      // A total (input + output) rate holds output in the share out / (in + out).
      p.output_tokens_per_s =
          pt.has("output_tokens_per_s")
              ? pt.at("output_tokens_per_s").positive()
              : pt.at("total_tokens_per_s").positive() * p.output_tokens /
                    (p.input_tokens + p.output_tokens);
      m.points.push_back(p);
    }
    c.measured.push_back(std::move(m));
  }
  return c;
}

TokenRates roofline_rates(const ServingModel& m, const ServingGpu& gpu,
                          const ServingPrecision& p, const std::string& precision,
                          int gpus, double concurrency, double context_tokens) {
  using namespace serving;
  const double flops = gpu.flops(precision);
  const double active = m.active_params_b * kBillion;
  const double total = m.params_b * kBillion;
  const double g = gpus, b = concurrency;
  TokenRates r;
  r.prefill = kComputeEfficiency * flops / (2.0 * active);
  // A decode step reads the weights its batch touches (a MoE batch touches at
  // most all experts) and every request's KV cache.
  const double bytes = std::min(total, b * active) * p.weight_bytes +
                       b * context_tokens * m.kv_elements_per_token() * p.kv_bytes;
  const double t_mem = bytes / (g * gpu.bandwidth_gb_s * kGB * kBandwidthEfficiency);
  const double t_flop = 2.0 * active * b / (g * flops * kComputeEfficiency);
  r.decode = b / (g * std::max(t_mem, t_flop));
  return r;
}

std::string estimate_source(const ServingGpu& gpu, const ServingModel& m) {
  return "roofline estimate from " + gpu.source + " and " + m.source;
}

double group_output_rate(const TokenRates& r, int gpus, double input_tokens,
                         double output_tokens) {
  return gpus * output_tokens / (input_tokens / r.prefill + output_tokens / r.decode);
}

MemoryNeed memory_need(const ServingModel& m, const ServingPrecision& p,
                       double concurrency, double context_tokens) {
  return {m.params_b * kBillion * p.weight_bytes / kGB,
          concurrency * context_tokens * m.kv_elements_per_token() * p.kv_bytes / kGB};
}

int replica_gpus(const MemoryNeed& need, const ServingGpu& gpu) {
  for (int g = 1; g <= serving::kMaxGpusPerReplica; g *= 2)
    if (need.total() <= g * gpu.memory_gb * serving::kUsableMemoryShare) return g;
  return 0;
}

Calibration calibration(const ServingModel& m, const ServingGpu& gpu,
                        const ServingPrecision& p, const std::string& precision, int gpus,
                        const std::vector<ServingPoint>& points) {
  double cross = 0.0, square = 0.0, log_sum = 0.0;
  for (const ServingPoint& pt : points) {
    const TokenRates r = roofline_rates(m, gpu, p, precision, gpus,
                                        serving::kDefaultConcurrency,
                                        pt.input_tokens + pt.output_tokens);
    const double seconds = gpus * pt.output_tokens / pt.output_tokens_per_s;
    const double prefill = pt.input_tokens / r.prefill;
    const double decode = pt.output_tokens / r.decode;
    cross += decode * (seconds - prefill);
    square += decode * decode;
    log_sum += std::log(pt.output_tokens_per_s /
                        group_output_rate(r, gpus, pt.input_tokens, pt.output_tokens));
  }
  if (cross > 0) return {1.0, square / cross};
  const double k = std::exp(log_sum / double(points.size()));
  return {k, k};
}

Json serving_catalog_rows(const Json& serving_json) {
  const ServingCatalog c = parse_serving_catalog(serving_json);
  Json rows = Json::array();
  auto row = [&](const std::string& model, const std::string& gpu, const std::string& precision,
                 const MeasuredServing* e) {
    const ServingModel& m = c.models.at(model);
    const ServingGpu& g = c.gpus.at(gpu);
    const ServingPrecision& p = c.precisions.at(precision);
    const double context = 2000;  // the listing's request: 1,000 in, 1,000 out
    const MemoryNeed need = memory_need(m, p, serving::kDefaultConcurrency, context);
    const int n = replica_gpus(need, g);
    const Calibration k =
        e ? calibration(m, g, p, precision, e->gpus, e->points) : Calibration{};
    Json out = {{"model", model},     {"gpu", gpu},
                {"precision", precision},
                {"engine", e ? Json(e->engine) : Json(nullptr)},
                {"basis", e ? "measured" : "estimate"},
                {"measured_gpus", e ? Json(e->gpus) : Json(nullptr)},
                {"load", e ? Json(e->load) : Json(nullptr)},
                {"context_tokens", context},
                {"memory_gb", need.total()},
                {"gpus_per_replica", n ? Json(n) : Json(nullptr)},
                {"prefill_calibration", k.prefill},
                {"decode_calibration", k.decode},
                {"source", e ? e->source : estimate_source(g, m)},
                {"as_of", e ? e->as_of : std::max(g.as_of, m.as_of)}};
    if (n) {
      TokenRates r = roofline_rates(m, g, p, precision, n, serving::kDefaultConcurrency, context);
      out["prefill_tokens_per_s"] = k.prefill * r.prefill;
      out["decode_tokens_per_s"] = k.decode * r.decode;
    } else {
      out["prefill_tokens_per_s"] = nullptr;
      out["decode_tokens_per_s"] = nullptr;
    }
    rows.push_back(out);
  };
  for (const auto& e : c.measured) row(e.model, e.gpu, e.precision, &e);
  for (const auto& [model, m] : c.models)
    for (const auto& [gpu, g] : c.gpus) {
      const bool measured = std::any_of(c.measured.begin(), c.measured.end(), [&](auto& e) {
        return e.model == model && e.gpu == gpu;
      });
      if (measured) continue;
      std::string precision = !m.native_precision.empty() ? m.native_precision
                              : g.tflops.count("fp8")      ? "fp8"
                                                           : "bf16";
      row(model, gpu, precision, nullptr);
    }
  return rows;
}

}  // namespace breakeven
