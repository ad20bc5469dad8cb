#include <pybind11/stl.h>

#include "bindings.hpp"
#include "breakeven/errors.hpp"
#include "breakeven/scenario_json.hpp"
#include "breakeven/scenario_parse.hpp"

namespace py = pybind11;

namespace breakeven::python {

void register_scenario(py::module_& m) {
  // Raised with args (path, reason); the Python layer adds file and line.
  static py::exception<ScenarioError> scenario_error(m, "ScenarioError",
                                                     PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ScenarioError& e) {
      py::tuple args = py::make_tuple(e.path(), e.reason());
      PyErr_SetObject(scenario_error.ptr(), args.ptr());
    }
  });

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
          [](const Scenario& s) {
            return s.simulation.mode == Mode::Expected ? "expected" : "stochastic";
          })
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
      .def("resolved_json",
           [](const Scenario& s) { return resolved_scenario_json(s).dump(); });

  m.def(
      "parse_scenario",
      [](const std::string& scenario_json, const std::string& catalog_json) {
        return std::make_shared<Scenario>(
            parse_scenario(Json::parse(scenario_json), Json::parse(catalog_json)));
      },
      py::arg("scenario_json"), py::arg("catalog_json"),
      "Validate a scenario (JSON text) against the catalog (JSON text).");
}

}  // namespace breakeven::python
