#include "bindings.hpp"
#include "breakeven/errors.hpp"

namespace py = pybind11;

namespace breakeven::python {

void register_errors(py::module_& m) {
  // Raised with args (field path, reason) and (option, reason); the Python layer
  // adds the file and line, or the option's spelling on the command line.
  static py::exception<ScenarioError> scenario_error(m, "ScenarioError",
                                                     PyExc_ValueError);
  static py::exception<OptionError> option_error(m, "OptionError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ScenarioError& e) {
      py::tuple args = py::make_tuple(e.path(), e.reason());
      PyErr_SetObject(scenario_error.ptr(), args.ptr());
    } catch (const OptionError& e) {
      py::tuple args = py::make_tuple(e.option(), e.reason());
      PyErr_SetObject(option_error.ptr(), args.ptr());
    }
  });
}

py::object to_python(const Json& v) {
  switch (v.type()) {
    case Json::value_t::object: {
      py::dict d;
      for (const auto& [k, x] : v.items()) d[py::str(k)] = to_python(x);
      return std::move(d);
    }
    case Json::value_t::array: {
      py::list l(v.size());
      for (std::size_t i = 0; i < v.size(); ++i) l[i] = to_python(v[i]);
      return std::move(l);
    }
    case Json::value_t::string:
      return py::str(v.get_ref<const std::string&>());
    case Json::value_t::boolean:
      return py::bool_(v.get<bool>());
    case Json::value_t::number_integer:
      return py::int_(v.get<long long>());
    case Json::value_t::number_unsigned:
      return py::int_(v.get<unsigned long long>());
    case Json::value_t::number_float:
      return py::float_(v.get<double>());
    default:
      return py::none();
  }
}

}  // namespace breakeven::python
