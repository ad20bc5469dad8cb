#include "serving_parse.hpp"

#include <algorithm>
#include <cmath>

#include "breakeven/limits.hpp"

namespace breakeven::detail {
namespace {

namespace L = limits;

template <class Map>
std::string names_of(const Map& map) {
  std::string out;
  for (const auto& [k, _] : map) out += (out.empty() ? "" : ", ") + k;
  return out;
}

std::string gb(double x) { return format_number(std::round(x * 10) / 10) + " GB"; }

// A measured latency statistic of a bench point: {mean, median, p99, ...} in ms.
void check_latency(const Field& f) {
  f.expect_object();
  for (const auto& k : f.keys()) f.at(k).number_in(0, 1e12);
}

// A bench's points, as Python read them from vLLM or SGLang result files. Of
// each request shape (input and output within 5%), the point of highest output
// throughput: the replica's saturated rate (lower request rates measure the
// load offered, not the capacity).
std::vector<ServingPoint> parse_curve(const Field& f) {
  f.expect_array();
  f.require(f.size() >= 1 && f.size() <= 1000, "give 1 to 1000 points");
  std::vector<ServingPoint> all;
  for (std::size_t i = 0; i < f.size(); ++i) {
    Field p = f.item(i);
    p.allow_only({"file", "input_tokens", "output_tokens", "output_tokens_per_s",
                  "total_tokens_per_s", "request_throughput", "request_rate",
                  "max_concurrency", "completed", "duration_s", "ttft_ms", "tpot_ms",
                  "itl_ms", "e2el_ms"});
    if (auto x = p.find("file")) x->string();
    ServingPoint pt;
    pt.input_tokens = p.at("input_tokens").number_in(0, L::kMaxTokensPerRequest);
    pt.output_tokens = p.at("output_tokens").number_in(0, L::kMaxTokensPerRequest);
    p.at("output_tokens").require(pt.output_tokens > 0, "must be > 0 (no output measured)");
    pt.output_tokens_per_s =
        p.at("output_tokens_per_s").number_in(0, L::kMaxTokensPerSecond);
    p.at("output_tokens_per_s").require(pt.output_tokens_per_s > 0, "must be > 0");
    for (auto key : {"total_tokens_per_s", "request_throughput", "completed", "duration_s"})
      if (auto x = p.find(key)) x->number_in(0, 1e15);
    for (auto key : {"request_rate", "max_concurrency"})
      if (auto x = p.find(key); x && !x->is_null() && !x->is_string()) x->number_in(0, 1e15);
    for (auto key : {"ttft_ms", "tpot_ms", "itl_ms", "e2el_ms"})
      if (auto x = p.find(key)) check_latency(*x);
    all.push_back(pt);
  }
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.output_tokens_per_s > b.output_tokens_per_s;
  });
  auto near = [](double a, double b) { return std::abs(a - b) <= 0.05 * std::max(a, b); };
  std::vector<ServingPoint> kept;
  for (const auto& p : all)
    if (std::none_of(kept.begin(), kept.end(), [&](const ServingPoint& k) {
          return near(k.input_tokens, p.input_tokens) && near(k.output_tokens, p.output_tokens);
        }))
      kept.push_back(p);
  return kept;
}

}  // namespace

Serving resolve_serving(const Field& f, const ServingCatalog& catalog, double context_tokens) {
  f.require(!catalog.models.empty(), "no serving catalog is loaded");
  Serving s;
  s.context_tokens = context_tokens;
  std::optional<int> asked_gpus;
  std::vector<ServingPoint> curve;
  // Fields of the mapping form; the string form is the first three (or four).
  auto part = [&](const std::string& key) { return f.is_string() ? f : f.at(key); };
  if (f.is_string()) {
    std::vector<std::string> parts;
    std::string text = f.string(), piece;
    for (char ch : text + "/") {
      if (ch != '/') {
        piece += ch;
        continue;
      }
      parts.push_back(piece);
      piece.clear();
    }
    f.require((parts.size() == 3 || parts.size() == 4) &&
                  std::none_of(parts.begin(), parts.end(), [](auto& p) { return p.empty(); }),
              "must be MODEL/GPU/PRECISION or MODEL/GPU/PRECISION/ENGINE (got '" + text + "')");
    s.model = parts[0];
    s.gpu = parts[1];
    s.precision = parts[2];
    if (parts.size() == 4) s.engine = parts[3];
  } else {
    f.require(f.is_object(),
              "must be MODEL/GPU/PRECISION[/ENGINE] or {model, gpu, precision, ...}");
    f.allow_only({"model", "gpu", "precision", "engine", "concurrency", "gpus_per_replica",
                  "curve", "source"});
    s.model = f.at("model").string();
    s.gpu = f.at("gpu").string();
    s.precision = f.at("precision").string();
    if (auto e = f.find("engine")) s.engine = e->string();
    if (auto c = f.find("concurrency"))
      s.concurrency = c->number_in(1, serving::kMaxConcurrency);
    if (auto g = f.find("gpus_per_replica")) {
      const int n = int(g->integer(1, serving::kMaxGpusPerReplica));
      g->require((n & (n - 1)) == 0, "must be 1, 2, 4 or 8 (got " + std::to_string(n) + ")");
      asked_gpus = n;
    }
    if (auto c = f.find("curve")) {
      f.require(s.engine.empty(), "give at most one of engine (a published figure) and curve "
                                  "(your own measurements)");
      curve = parse_curve(*c);
    }
  }
  auto model_it = catalog.models.find(s.model);
  part("model").require(model_it != catalog.models.end(),
                        "unknown model '" + s.model +
                            "' (models: " + names_of(catalog.models) + ")");
  auto gpu_it = catalog.gpus.find(s.gpu);
  part("gpu").require(gpu_it != catalog.gpus.end(),
                      "unknown GPU '" + s.gpu + "' (GPUs: " + names_of(catalog.gpus) + ")");
  auto prec_it = catalog.precisions.find(s.precision);
  part("precision").require(prec_it != catalog.precisions.end(),
                            "unknown precision '" + s.precision + "' (precisions: " +
                                names_of(catalog.precisions) + ")");
  const ServingModel& m = model_it->second;
  const ServingGpu& gpu = gpu_it->second;
  const ServingPrecision& p = prec_it->second;

  // Memory: weights plus the KV cache of `concurrency` requests at full context.
  s.memory = memory_need(m, p, s.concurrency, context_tokens);
  const double usable_one = gpu.memory_gb * serving::kUsableMemoryShare;
  const int fit = asked_gpus ? (s.memory.total() <= *asked_gpus * usable_one ? *asked_gpus : 0)
                             : replica_gpus(s.memory, gpu);
  const int shown = asked_gpus ? *asked_gpus : serving::kMaxGpusPerReplica;
  f.require(fit > 0,
            s.model + " at " + s.precision + " needs " + gb(s.memory.total()) +
                " per replica (weights " + gb(s.memory.weights_gb) + " + KV cache " +
                gb(s.memory.kv_gb) + " for " + format_number(s.concurrency) +
                " requests of " + format_number(std::round(context_tokens)) + " tokens); " +
                std::to_string(shown) + " x " + s.gpu + " hold " + gb(shown * usable_one) +
                " (" + format_number(serving::kUsableMemoryShare) + " of " +
                format_number(gpu.memory_gb) + " GB each)" +
                (asked_gpus ? std::string("")
                            : ", and a replica is at most " +
                                  std::to_string(serving::kMaxGpusPerReplica) +
                                  " GPUs (one node)"));
  s.gpus_per_replica = fit;
  s.usable_gb = fit * usable_one;

  if (!curve.empty()) {
    s.basis = "bench";
    s.calibration = calibration(m, gpu, p, s.precision, fit, curve);
    s.curve = f.at("curve").json();
    if (auto src = f.find("source")) s.source = src->string();
  } else {
    const MeasuredServing* found = nullptr;
    std::string engines;
    for (const auto& e : catalog.measured) {
      if (e.model != s.model || e.gpu != s.gpu || e.precision != s.precision) continue;
      engines += (engines.empty() ? "" : ", ") + e.engine;
      if (!found && (s.engine.empty() || e.engine == s.engine)) found = &e;
    }
    if (!s.engine.empty() && !found)
      (f.is_string() ? f : f.at("engine"))
          .fail("no published figure for " + s.model + " on " + s.gpu + " at " + s.precision +
                " with engine '" + s.engine + "' (" +
                (engines.empty() ? "none published: leave the engine out for a roofline "
                                   "estimate"
                                 : "published: " + engines) +
                ")");
    if (found) {
      s.basis = "measured";
      s.engine = found->engine;
      s.calibration = calibration(m, gpu, p, s.precision, found->gpus, found->points);
      s.source = found->source;
      s.as_of = found->as_of;
    } else {
      s.basis = "estimate";
      s.source = estimate_source(gpu, m);
      s.as_of = std::max(gpu.as_of, m.as_of);
    }
  }
  const TokenRates r =
      roofline_rates(m, gpu, p, s.precision, fit, s.concurrency, context_tokens);
  s.rates = {s.calibration.prefill * r.prefill, s.calibration.decode * r.decode};
  return s;
}

void check_whole_replicas(const Field& cluster, const Cluster& c) {
  const int r = c.replica_gpus;
  if (r <= 1) return;
  const std::string why = ": whole replicas, and one replica of " + c.serving->model +
                          " at " + c.serving->precision + " on " + c.serving->gpu +
                          " takes " + std::to_string(r) + " GPUs";
  auto whole = [&](const Field& f) {
    const long long n = f.integer(0, L::kMaxGpus);
    f.require(n % r == 0, "must be a multiple of " + std::to_string(r) + " (got " +
                              std::to_string(n) + ")" + why);
  };
  Field g = cluster.at("gpus");
  if (g.is_number()) {
    whole(g);
  } else {
    whole(g.at("min"));
    whole(g.at("max"));
  }
  if (auto x = cluster.find("commitment")) whole(x->at("gpus"));
  if (auto x = cluster.find("spot")) whole(x->at("gpus"));
}

}  // namespace breakeven::detail
