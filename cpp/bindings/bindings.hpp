// The register functions of the _core module, one per area.
#pragma once

#include <pybind11/pybind11.h>

namespace breakeven::python {

void register_scenario(pybind11::module_& m);
void register_simulation(pybind11::module_& m);

}  // namespace breakeven::python
