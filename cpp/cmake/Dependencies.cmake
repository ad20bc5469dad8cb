# Header-only C++ dependencies. First choice: the PyPI packages cmeel-eigen and
# nlohmann-json (in build-system.requires, so `pip install .` needs no apt step)
# and, for the C++ tests and benchmarks only, boost-headers (in the test extra).
# Fallback: system packages (libeigen3-dev, nlohmann-json3-dev, libboost-dev)
# found the usual CMake way.
if(BREAKEVEN_PYTHON)
  find_package(Python 3.9 REQUIRED COMPONENTS Interpreter Development.Module)
else()
  find_package(Python 3.9 REQUIRED COMPONENTS Interpreter)
endif()
execute_process(
  COMMAND "${Python_EXECUTABLE}" "${CMAKE_CURRENT_LIST_DIR}/find_header_packages.py"
  OUTPUT_VARIABLE _found OUTPUT_STRIP_TRAILING_WHITESPACE)
string(REPLACE "\n" ";" _found "${_found}")
foreach(_line IN LISTS _found)
  if(_line MATCHES "^([A-Z_]+)=(.*)$")
    set(BREAKEVEN_${CMAKE_MATCH_1}_INCLUDE "${CMAKE_MATCH_2}")
  endif()
endforeach()

add_library(breakeven_deps INTERFACE)

if(BREAKEVEN_EIGEN_INCLUDE)
  target_include_directories(breakeven_deps SYSTEM INTERFACE "${BREAKEVEN_EIGEN_INCLUDE}")
else()
  find_package(Eigen3 3.3 REQUIRED NO_MODULE)
  target_link_libraries(breakeven_deps INTERFACE Eigen3::Eigen)
endif()


if(BREAKEVEN_NLOHMANN_JSON_INCLUDE)
  target_include_directories(breakeven_deps SYSTEM INTERFACE "${BREAKEVEN_NLOHMANN_JSON_INCLUDE}")
else()
  find_package(nlohmann_json 3.10 REQUIRED)
  target_link_libraries(breakeven_deps INTERFACE nlohmann_json::nlohmann_json)
endif()

# Boost.Math's exact distributions are the tests' references; the benchmarks time
# Boost.Random's samplers against the engine's. The engine itself does not use Boost.
if(BREAKEVEN_TESTS OR BREAKEVEN_BENCH)
  add_library(breakeven_test_deps INTERFACE)
  if(BREAKEVEN_BOOST_INCLUDE)
    target_include_directories(breakeven_test_deps SYSTEM INTERFACE "${BREAKEVEN_BOOST_INCLUDE}")
  else()
    find_package(Boost 1.71 REQUIRED)
    target_link_libraries(breakeven_test_deps INTERFACE Boost::headers)
  endif()
endif()

message(STATUS "breakeven: Eigen ${BREAKEVEN_EIGEN_INCLUDE}, Boost ${BREAKEVEN_BOOST_INCLUDE}, "
               "nlohmann_json ${BREAKEVEN_NLOHMANN_JSON_INCLUDE} (empty: system package)")
