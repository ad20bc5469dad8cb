#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <limits>

#include "bindings.hpp"
#include "breakeven/calendar.hpp"
#include "breakeven/errors.hpp"
#include "breakeven/limits.hpp"
#include "breakeven/monte_carlo.hpp"
#include "breakeven/result_json.hpp"
#include "breakeven/statistics.hpp"
#include "breakeven/traffic_samples.hpp"

namespace py = pybind11;

namespace breakeven::python {
namespace {

using ResultPtr = std::shared_ptr<SimulationResult>;

// One of a result's arrays, exported read-only through the buffer protocol: numpy
// (np.asarray) views the engine's memory without a copy, and the view keeps the
// result alive.
struct ArrayView {
  ResultPtr owner;
  const double* data;
  std::vector<py::ssize_t> shape;
  std::vector<py::ssize_t> strides;  // bytes
};

// A [path][strategy][month](...) array seen as (strategy, path, month[, width]).
// The width axis is there whenever the array has one, whatever its length: a
// scenario of one workload has workload_cost of shape (S, P, M, 1), like any other.
ArrayView month_array(const ResultPtr& r, const std::vector<double>& data, int width,
                      bool width_axis) {
  const py::ssize_t w = width, M = r->months, S = r->strategies();
  const py::ssize_t d = sizeof(double);
  ArrayView v{r, data.data(), {S, r->paths, M}, {M * w * d, S * M * w * d, w * d}};
  if (width_axis) {
    v.shape.push_back(w);
    v.strides.push_back(d);
  }
  return v;
}

ArrayView array_named(const ResultPtr& r, const std::string& name) {
  if (name == "cost") return month_array(r, r->cost, 1, false);
  if (name == "parts") return month_array(r, r->parts, kPartCount, true);
  if (name == "workload_cost") return month_array(r, r->workload_cost, r->workloads(), true);
  if (name == "requests") return month_array(r, r->requests, kServedCount, true);
  if (name == "gpu_hours") return month_array(r, r->gpu_hours, 1, false);
  if (name == "gpu_seconds_served") return month_array(r, r->gpu_seconds_served, 1, false);
  if (name == "details") return month_array(r, r->details, kDetailCount, true);
  if (name == "slo_breach_hours" && r->has_slo())
    return month_array(r, r->slo_breach_hours, r->workloads(), true);
  if (name == "demand") {
    const py::ssize_t d = sizeof(double);
    return {r, r->demand.data(), {r->paths, r->months}, {r->months * d, d}};
  }
  throw py::key_error("no result array named '" + name + "'");
}

// Run options as Python passes them, checked here with the engine's bounds and
// the option's name in the error.
std::string shown(const py::handle& v) { return py::repr(v).cast<std::string>(); }

long long whole(const py::handle& v, const char* name, long long lo, long long hi) {
  const std::string allowed = "must be a whole number between " + std::to_string(lo) +
                              " and " + std::to_string(hi) + " (got " + shown(v) + ")";
  if (!py::isinstance<py::int_>(v) || py::isinstance<py::bool_>(v))
    throw OptionError(name, allowed);
  int overflow = 0;
  const long long x = PyLong_AsLongLongAndOverflow(v.ptr(), &overflow);
  if (overflow || x < lo || x > hi) throw OptionError(name, allowed);
  return x;
}

std::uint64_t seed_of(const py::handle& v) {
  const std::string allowed =
      "must be a whole number between 0 and 2^64-1 (got " + shown(v) + ")";
  if (!py::isinstance<py::int_>(v) || py::isinstance<py::bool_>(v))
    throw OptionError("seed", allowed);
  const unsigned long long x = PyLong_AsUnsignedLongLong(v.ptr());
  if (PyErr_Occurred()) {
    PyErr_Clear();
    throw OptionError("seed", allowed);
  }
  return x;
}

double real(const py::handle& v, const char* name) {
  if (py::isinstance<py::bool_>(v) ||
      !(py::isinstance<py::float_>(v) || py::isinstance<py::int_>(v)))
    throw OptionError(name, "must be a number (got " + shown(v) + ")");
  const double x = v.cast<double>();
  if (!std::isfinite(x)) throw OptionError(name, "must be a finite number");
  return x;
}

Mode mode_of(const py::handle& v) {
  if (py::isinstance<Mode>(v)) return v.cast<Mode>();
  if (py::isinstance<py::str>(v))
    if (auto m = mode_from_name(v.cast<std::string>())) return *m;
  throw OptionError("mode", "must be stochastic or expected (got " + shown(v) + ")");
}

ResultPtr run(const Scenario& scenario, const py::object& paths, const py::object& seed,
              const py::object& mode, const py::object& threads,
              const py::object& precision, const py::object& memory_budget_gib,
              std::optional<py::function> progress, const py::object& antithetic) {
  RunOptions options;
  if (!antithetic.is_none()) {
    if (!py::isinstance<py::bool_>(antithetic))
      throw OptionError("antithetic", "must be true or false (got " + shown(antithetic) + ")");
    options.antithetic = antithetic.cast<bool>();
  }
  if (!paths.is_none()) options.paths = whole(paths, "paths", 1, limits::kMaxPaths);
  if (!seed.is_none()) options.seed = seed_of(seed);
  if (!mode.is_none()) options.mode = mode_of(mode);
  if (!threads.is_none())
    options.threads = int(whole(threads, "threads", 1, limits::kMaxThreads));
  if (!precision.is_none()) options.precision = real(precision, "precision");
  if (!memory_budget_gib.is_none()) {
    const double gib = real(memory_budget_gib, "memory_budget_gib");
    if (!(gib > 0)) throw OptionError("memory_budget_gib", "must be > 0");
    options.memory_budget_bytes = gib * double(1ull << 30);
  }
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

// A vector handed to numpy without a copy: the array owns it through a capsule.
py::array_t<double> owned_array(std::vector<double>&& data, std::vector<py::ssize_t> shape) {
  auto* owned = new std::vector<double>(std::move(data));
  py::capsule free_when_done(owned,
                             [](void* v) { delete static_cast<std::vector<double>*>(v); });
  return py::array_t<double>(std::move(shape), owned->data(), free_when_done);
}

py::dict traffic(const Scenario& scenario, const py::object& paths, const py::object& seed,
                 const py::object& mode, const py::object& first_hour,
                 const py::object& hours, const py::object& bucket_hours) {
  const int n_paths = int(whole(paths, "paths", 1, limits::kMaxPaths));
  const std::uint64_t s = seed.is_none() ? scenario.simulation.seed : seed_of(seed);
  const Mode m = mode.is_none() ? scenario.simulation.mode : mode_of(mode);
  const int max_hours = limits::kMaxHorizonMonths * kHoursPerMonth;
  const int first = int(whole(first_hour, "first_hour", 0, max_hours));
  const int n_hours = int(whole(hours, "hours", 1, max_hours));
  const int bucket = int(whole(bucket_hours, "bucket_hours", 1, max_hours));
  TrafficSamples t;
  {
    py::gil_scoped_release release;
    t = sample_traffic(scenario, n_paths, s, m, first, n_hours, bucket);
  }
  const std::vector<py::ssize_t> shape{t.paths, t.workloads, t.buckets};
  py::dict out;
  out["requests"] = owned_array(std::move(t.requests), shape);
  out["input_tokens"] = owned_array(std::move(t.input_tokens), shape);
  out["output_tokens"] = owned_array(std::move(t.output_tokens), shape);
  return out;
}

}  // namespace

void register_simulation(py::module_& m) {
  py::enum_<Mode>(m, "Mode")
      .value("stochastic", Mode::Stochastic)
      .value("expected", Mode::Expected);

  py::class_<ArrayView>(m, "ArrayView", py::buffer_protocol())
      .def_buffer([](const ArrayView& v) {
        return py::buffer_info(const_cast<double*>(v.data), sizeof(double),
                               py::format_descriptor<double>::format(),
                               py::ssize_t(v.shape.size()), v.shape, v.strides,
                               /*readonly=*/true);
      });

  py::class_<SimulationResult, ResultPtr>(m, "SimulationResult")
      .def_readonly("scenario", &SimulationResult::scenario)
      .def_property_readonly("mode",
                             [](const SimulationResult& r) { return mode_name(r.mode); })
      .def_readonly("paths", &SimulationResult::paths)
      .def_readonly("seed", &SimulationResult::seed)
      .def_readonly("months", &SimulationResult::months)
      .def_readonly("baseline", &SimulationResult::baseline)
      .def_readonly("precision_target", &SimulationResult::precision_target)
      .def_readonly("precision_met", &SimulationResult::precision_met)
      .def_readonly("antithetic", &SimulationResult::antithetic)
      .def_readonly("traffic_seconds", &SimulationResult::traffic_seconds)
      .def_readonly("costing_seconds", &SimulationResult::costing_seconds)
      .def_readonly("strategy_names", &SimulationResult::strategy_names)
      .def_readonly("workload_names", &SimulationResult::workload_names)
      .def_readonly("slo_workloads", &SimulationResult::slo_workloads)
      .def("array", &array_named, py::arg("name"),
           "A read-only buffer over one result array (np.asarray views it).")
      .def(
          "summary",
          [](const SimulationResult& r) {
            Json doc;
            {
              py::gil_scoped_release release;
              doc = result_json(r, summarize(r));
            }
            return to_python(doc);
          },
          "The result JSON v1 (statistics over paths) as plain values.")
      .def(
          "break_even_months",
          [](const SimulationResult& r, int s) {
            if (s < 0 || s >= r.strategies()) throw py::index_error("no such strategy");
            const std::vector<int> months = break_even_months(r, s);
            return py::array_t<int>(py::ssize_t(months.size()), months.data());
          },
          py::arg("strategy"),
          "Break-even month of every path against the baseline (0: none).");

  m.def("simulate", &run, py::arg("scenario"), py::arg("paths") = py::none(),
        py::arg("seed") = py::none(), py::arg("mode") = py::none(),
        py::arg("threads") = py::none(), py::arg("precision") = py::none(),
        py::arg("memory_budget_gib") = py::none(), py::arg("progress") = py::none(),
        py::arg("antithetic") = py::none(),
        "Run the Monte Carlo simulation; the GIL is released while paths run.");
  m.def("sample_traffic", &traffic, py::arg("scenario"), py::arg("paths"),
        py::arg("seed") = py::none(), py::arg("mode") = py::none(),
        py::arg("first_hour") = 0, py::arg("hours"), py::arg("bucket_hours") = 1,
        "Requests, input and output tokens of paths as (path, workload, bucket) "
        "arrays: exactly the traffic simulate() draws for those paths.");
  m.def("run_memory_bytes", &run_memory_bytes, py::arg("scenario"), py::arg("paths"),
        py::arg("threads"), "Bytes a run's arrays need (what the budget checks).");
}

}  // namespace breakeven::python
