#include <pybind11/stl.h>

#include "bindings.hpp"
#include "breakeven/errors.hpp"
#include "breakeven/scenario_json.hpp"
#include "breakeven/scenario_parse.hpp"

namespace py = pybind11;

namespace breakeven::python {

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
      .def("resolved",
           [](const Scenario& s) { return to_python(resolved_scenario_json(s)); },
           "The scenario as the engine sees it, as plain values.");

  m.def(
      "parse_scenario",
      [](const std::string& scenario_json, const std::string& catalog_json) {
        Json scenario, catalog;
        try {
          scenario = Json::parse(scenario_json);
          catalog = Json::parse(catalog_json);
        } catch (const Json::exception& e) {
          // The Python loader hands over plain data only; this is a last guard.
          throw ScenarioError("", std::string("not a plain scenario: ") + e.what());
        }
        return std::make_shared<Scenario>(parse_scenario(scenario, catalog));
      },
      py::arg("scenario_json"), py::arg("catalog_json"),
      "Validate a scenario (JSON text) against the catalog (JSON text).");

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
