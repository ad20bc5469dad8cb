// breakeven._cpu: which engine builds this CPU can run. Compiled for the baseline
// target, so that asking is safe on any CPU.
#include <pybind11/pybind11.h>

PYBIND11_MODULE(_cpu, m) {
  m.doc() = "CPU features that choose the engine build (private)";
  m.def("supports_x86_64_v3", [] {
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("x86-64-v3") != 0;
#else
    return false;
#endif
  });
}
