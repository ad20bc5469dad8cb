#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "breakeven/errors.hpp"
#include "breakeven/monte_carlo.hpp"
#include "breakeven/result_json.hpp"
#include "breakeven/statistics.hpp"

namespace py = pybind11;

namespace breakeven::python {
namespace {

using ResultPtr = std::shared_ptr<SimulationResult>;

// A read-only numpy view of `data` that keeps `owner` (the result) alive: no copy.
py::array view(const py::object& owner, const std::vector<double>& data,
               std::vector<py::ssize_t> shape) {
  py::array a(py::dtype::of<double>(), shape, {}, data.data(), owner);
  py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return a;
}

// A getter for one of the result's [strategy][path][month](...) arrays; `width`
// gives the size of the trailing axis, if any.
using Width = int (*)(const SimulationResult&);
int parts_width(const SimulationResult&) { return kPartCount; }
int served_width(const SimulationResult&) { return kServedCount; }
int workloads_width(const SimulationResult& r) { return r.workloads(); }

auto month_array(std::vector<double> SimulationResult::*member, Width width) {
  return [member, width](const py::object& self) {
    const auto& r = self.cast<const SimulationResult&>();
    std::vector<py::ssize_t> shape = {r.strategies(), r.paths, r.months};
    if (width) shape.push_back(width(r));
    return view(self, r.*member, shape);
  };
}

ResultPtr run(const Scenario& scenario, std::optional<int> paths,
              std::optional<std::uint64_t> seed, std::optional<std::string> mode,
              int threads, std::optional<double> precision,
              std::optional<py::function> progress) {
  RunOptions options;
  options.paths = paths;
  options.precision = precision;
  options.seed = seed;
  if (mode) options.mode = *mode == "expected" ? Mode::Expected : Mode::Stochastic;
  options.threads = threads;
  // Runs on the calling thread while the workers compute: take the GIL only here.
  options.interrupted = [] {
    py::gil_scoped_acquire gil;
    return PyErr_CheckSignals() != 0;
  };
  if (progress)
    options.progress = [fn = *progress](int done, int total) {
      py::gil_scoped_acquire gil;
      fn(done, total);
    };
  auto result = std::make_shared<SimulationResult>();
  bool cancelled = false;
  {
    py::gil_scoped_release release;
    try {
      *result = simulate(scenario, options);
    } catch (const RunCancelled&) {
      cancelled = true;
    }
  }
  if (cancelled) {
    if (PyErr_Occurred()) throw py::error_already_set();  // KeyboardInterrupt
    throw py::value_error("simulation cancelled");
  }
  return result;
}

}  // namespace

void register_simulation(py::module_& m) {
  std::vector<std::string> parts(kPartNames, kPartNames + kPartCount);
  std::vector<std::string> served(kServedNames, kServedNames + kServedCount);
  m.attr("PART_NAMES") = py::tuple(py::cast(parts));
  m.attr("SERVED_NAMES") = py::tuple(py::cast(served));

  py::class_<SimulationResult, ResultPtr>(m, "SimulationResult")
      .def_readonly("scenario", &SimulationResult::scenario)
      .def_property_readonly("mode",
                             [](const SimulationResult& r) {
                               return r.mode == Mode::Expected ? "expected"
                                                               : "stochastic";
                             })
      .def_readonly("paths", &SimulationResult::paths)
      .def_readonly("seed", &SimulationResult::seed)
      .def_readonly("months", &SimulationResult::months)
      .def_readonly("baseline", &SimulationResult::baseline)
      .def_readonly("precision_target", &SimulationResult::precision_target)
      .def_readonly("precision_met", &SimulationResult::precision_met)
      .def_readonly("traffic_seconds", &SimulationResult::traffic_seconds)
      .def_readonly("costing_seconds", &SimulationResult::costing_seconds)
      .def_readonly("strategy_names", &SimulationResult::strategy_names)
      .def_readonly("workload_names", &SimulationResult::workload_names)
      .def_property_readonly("cost", month_array(&SimulationResult::cost, nullptr))
      .def_property_readonly("parts",
                             month_array(&SimulationResult::parts, parts_width))
      .def_property_readonly(
          "workload_cost",
          month_array(&SimulationResult::workload_cost, workloads_width))
      .def_property_readonly("requests",
                             month_array(&SimulationResult::requests, served_width))
      .def_property_readonly("gpu_hours",
                             month_array(&SimulationResult::gpu_hours, nullptr))
      .def_property_readonly(
          "gpu_seconds_served",
          month_array(&SimulationResult::gpu_seconds_served, nullptr))
      .def(
          "summary_json",
          [](const SimulationResult& r) {
            py::gil_scoped_release release;
            return result_json(r, summarize(r)).dump();
          },
          "The result JSON v1 (statistics over paths) as text.");

  m.def("simulate", &run, py::arg("scenario"), py::arg("paths") = py::none(),
        py::arg("seed") = py::none(), py::arg("mode") = py::none(),
        py::arg("threads") = 0, py::arg("precision") = py::none(),
        py::arg("progress") = py::none(),
        "Run the Monte Carlo simulation; the GIL is released while paths run.");
}

}  // namespace breakeven::python
