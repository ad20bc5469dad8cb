// The register functions of the _core module, one per area, and the conversions
// they share.
#pragma once

#include <pybind11/pybind11.h>

#include "breakeven/json.hpp"

namespace breakeven::python {

void register_errors(pybind11::module_& m);
void register_limits(pybind11::module_& m);
void register_scenario(pybind11::module_& m);
void register_simulation(pybind11::module_& m);
void register_serving(pybind11::module_& m);

// A JSON value as plain Python values (dict, list, str, int, float, bool, None),
// built directly: no JSON text in between.
pybind11::object to_python(const Json& value);

}  // namespace breakeven::python
