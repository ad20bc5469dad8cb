// breakeven._core_<build>: thin bindings of the C++ engine, one module per build
// of it (cpp/bindings/CMakeLists.txt). Behaviour lives in C++ (numerics and
// validation) and in the Python package (user-facing API); this only converts
// and wires.
#include "bindings.hpp"
#include "breakeven/version.hpp"

PYBIND11_MODULE(BREAKEVEN_MODULE, m) {
  m.doc() = "C++ engine of breakeven (private; use the breakeven package)";
  m.attr("__version__") = breakeven::kEngineVersion;
  breakeven::python::register_errors(m);
  breakeven::python::register_limits(m);
  breakeven::python::register_scenario(m);
  breakeven::python::register_simulation(m);
  breakeven::python::register_serving(m);
}
