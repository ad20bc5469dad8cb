#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <optional>

#include "bindings.hpp"
#include "breakeven/errors.hpp"
#include "breakeven/long_context.hpp"
#include "breakeven/pricing.hpp"
#include "breakeven/scenario_json.hpp"
#include "breakeven/scenario_parse.hpp"
#include "breakeven/serving.hpp"

namespace py = pybind11;

namespace breakeven::python {

namespace {

int index_of(const auto& items, const std::string& name, const char* what) {
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].name == name) return static_cast<int>(i);
  throw py::value_error(std::string("no ") + what + " named '" + name + "'");
}

// What synthetic logs draw cache reads from: the engine's own rule and formula
// (ApiPricer, cache_hit_probability), never restated in Python.
py::array_t<double> cache_hit_probabilities(const Scenario& s, const std::string& strategy,
                                            const std::string& workload,
                                            const py::array_t<double>& requests_per_hour) {
  const Strategy& st = s.strategies[index_of(s.strategies, strategy, "strategy")];
  const int w = index_of(s.workloads, workload, "workload");
  const auto n = requests_per_hour.unchecked<1>();
  py::array_t<double> out(n.shape(0));
  auto h = out.mutable_unchecked<1>();
  const Route& route = st.routes[w];
  std::optional<ApiPricer> pricer;
  if (route.kind == Route::Kind::Api) {
    const Workload& wl = s.workloads[w];
    pricer.emplace(s.models[route.index], wl, st.caching, wl.is_batch() && st.batch_api,
                   st.cache_ttl_minutes[w]);
  }
  for (py::ssize_t i = 0; i < n.shape(0); ++i)
    h(i) = pricer && pricer->uses_cache() && pricer->shared_prefix()
               ? cache_hit_probability(n(i), pricer->prefix_variants(), pricer->ttl_minutes())
               : 0.0;
  return out;
}

// The expected share of input tokens read from cache in an hour of n requests of
// `workload` under `strategy` (expected mode's closed form, cache.hpp), and its
// parts: the share of requests reading their conversation's previous turn and
// the share reading the shared prefix.
py::dict cache_figures(const Scenario& s, const std::string& strategy,
                       const std::string& workload, double requests_per_hour) {
  const Strategy& st = s.strategies[index_of(s.strategies, strategy, "strategy")];
  const int w = index_of(s.workloads, workload, "workload");
  const Workload& wl = s.workloads[w];
  const Route& route = st.routes[w];
  py::dict out;
  double cached = 0, conversation = 0, prefix = 0, ttl = 0;
  if (route.kind == Route::Kind::Api) {
    const ApiPricer pricer(s.models[route.index], wl, st.caching,
                           wl.is_batch() && st.batch_api, st.cache_ttl_minutes[w]);
    ttl = pricer.ttl_minutes();
    if (pricer.uses_cache() && requests_per_hour > 0) {
      const double n = requests_per_hour;
      const double v = n * wl.variable_input_mean();
      const CacheUse u = pricer.cache_use(n, v);
      const double input = v + n * wl.prefix_tokens;
      cached = input > 0 ? (u.prefix_hits * wl.prefix_tokens + u.cached_variable) / input : 0;
      conversation = pricer.conversation().hit_share;
      prefix = u.prefix_hits / n;
    }
  }
  out["cached_share"] = cached;
  out["conversation_hit_share"] = conversation;
  out["prefix_hit_share"] = prefix;
  out["ttl_minutes"] = ttl;
  return out;
}

}  // namespace

void register_scenario(py::module_& m) {
  py::class_<Scenario, std::shared_ptr<Scenario>>(m, "Scenario")
      .def_readonly("name", &Scenario::name)
      .def_readonly("description", &Scenario::description)
      .def_readonly("horizon_months", &Scenario::horizon_months)
      .def_property_readonly("paths",
                             [](const Scenario& s) { return s.simulation.paths; })
      .def_property_readonly("seed",
                             [](const Scenario& s) { return s.simulation.seed; })
      .def_property_readonly(
          "mode",
          [](const Scenario& s) { return mode_name(s.simulation.mode); })
      .def_property_readonly("workload_names",
                             [](const Scenario& s) {
                               std::vector<std::string> n;
                               for (const auto& w : s.workloads) n.push_back(w.name);
                               return n;
                             })
      .def_property_readonly("strategy_names",
                             [](const Scenario& s) {
                               std::vector<std::string> n;
                               for (const auto& x : s.strategies) n.push_back(x.name);
                               return n;
                             })
      .def_property_readonly("cluster_names",
                             [](const Scenario& s) {
                               std::vector<std::string> n;
                               for (const auto& c : s.clusters) n.push_back(c.name);
                               return n;
                             })
      .def_property_readonly(
          "baseline", [](const Scenario& s) { return s.strategies[s.baseline].name; })
      .def_property_readonly("has_slo", &Scenario::has_slo,
                             "Whether some workload states an slo.")
      .def_property_readonly("draws_parameters", &Scenario::draws_parameters,
                             "Whether a stochastic run's paths draw their own rate "
                             "and growth (some uncertainty above 0, not fixed).")
      .def("resolved",
           [](const Scenario& s) { return to_python(resolved_scenario_json(s)); },
           "The scenario as the engine sees it, as plain values.")
      .def(
          "route_allowed",
          [](const Scenario& s, int workload, const std::string& target) {
            if (workload < 0 || workload >= int(s.workloads.size()))
              throw py::index_error("no workload " + std::to_string(workload));
            return s.route_allowed(workload, target);
          },
          py::arg("workload"), py::arg("target"),
          "Whether workload (an index) may be sent to target (a model or cluster "
          "name) under its min_quality.")
      .def(
          "meets_quality",
          [](const Scenario& s, int workload, std::optional<double> mean, double sd) {
            if (workload < 0 || workload >= int(s.workloads.size()))
              throw py::index_error("no workload " + std::to_string(workload));
            std::optional<QualityScore> q;
            if (mean) q = QualityScore{*mean, sd};
            return s.meets_quality(workload, q);
          },
          py::arg("workload"), py::arg("mean"), py::arg("sd") = 0.0,
          "Whether workload (an index) may take a route scoring mean (None: no "
          "score) with this sd under its min_quality.")
      .def("cache_hit_probability", &cache_hit_probabilities, py::arg("strategy"),
           py::arg("workload"), py::arg("requests_per_hour"),
           "The engine's probability that a request of `workload` under `strategy` "
           "reads a cached prefix, for each hour's request count (0 where caching "
           "does not apply: a cluster route, caching off, a prefix under the "
           "model's minimum, batch-priced work).")
      .def(
          "long_context_shares",
          [](const Scenario& s, const std::string& workload, double threshold) {
            const LongContextShares shares = long_context_shares(
                s.workloads[index_of(s.workloads, workload, "workload")], threshold);
            py::dict out;
            out["requests"] = shares.requests;
            out["input_tokens"] = shares.input_tokens;
            return out;
          },
          py::arg("workload"), py::arg("threshold"),
          "The share of `workload`'s requests whose input is above `threshold` tokens "
          "and their share of its input tokens (docs/model.md \"Provisioned throughput "
          "and long-context tiers\").")
      .def("cache_figures", &cache_figures, py::arg("strategy"), py::arg("workload"),
           py::arg("requests_per_hour"),
           "Expected mode's cache figures of an hour of `requests_per_hour` requests: "
           "cached_share (of input tokens), conversation_hit_share, prefix_hit_share "
           "(of requests) and the ttl_minutes used.");

  m.def(
      "parse_scenario",
      [](const std::string& scenario_json, const std::string& catalog_json,
         const std::string& serving_json) {
        Json scenario, catalog, serving;
        try {
          scenario = Json::parse(scenario_json);
          catalog = Json::parse(catalog_json);
          serving = Json::parse(serving_json);
        } catch (const Json::exception& e) {
          // The Python loader hands over plain data only; this is a last guard.
          throw ScenarioError("", std::string("not a plain scenario: ") + e.what());
        }
        return std::make_shared<Scenario>(parse_scenario(scenario, catalog, serving));
      },
      py::arg("scenario_json"), py::arg("catalog_json"), py::arg("serving_json") = "{}",
      "Validate a scenario (JSON text) against the catalog and the serving catalog "
      "(JSON text).");

  m.def(
      "serving_rows",
      [](const std::string& serving_json) {
        return serving_catalog_rows(Json::parse(serving_json)).dump();
      },
      py::arg("serving_json"),
      "The serving catalog resolved at the default concurrency, as JSON text: one row "
      "per measured entry and per model x GPU without one (a roofline estimate).");

  m.def(
      "catalog_models",
      [](const std::string& catalog_json) {
        py::dict out;
        for (const ApiModel& model : parse_catalog(Json::parse(catalog_json)))
          out[py::str(model.name)] = to_python(model_json(model));
        return out;
      },
      py::arg("catalog_json"), "The catalog's models, validated, defaults filled in.");
}

}  // namespace breakeven::python
