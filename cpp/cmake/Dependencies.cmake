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

# `target` gets the headers of one dependency: from the PyPI package's folder when
# find_header_packages.py found it, else from find_package(ARGN), whose imported
# target is `imported`.
function(breakeven_use_headers target found_include imported)
  if(found_include)
    target_include_directories(${target} SYSTEM INTERFACE "${found_include}")
  else()
    find_package(${ARGN} REQUIRED)
    target_link_libraries(${target} INTERFACE ${imported})
  endif()
endfunction()

add_library(breakeven_deps INTERFACE)
breakeven_use_headers(breakeven_deps "${BREAKEVEN_EIGEN_INCLUDE}" Eigen3::Eigen
                      Eigen3 3.3 NO_MODULE)
breakeven_use_headers(breakeven_deps "${BREAKEVEN_NLOHMANN_JSON_INCLUDE}"
                      nlohmann_json::nlohmann_json nlohmann_json 3.10)

# Boost.Math's exact distributions are the tests' references; the benchmarks time
# Boost.Random's samplers against the engine's. The engine itself does not use Boost.
if(BREAKEVEN_TESTS OR BREAKEVEN_BENCH)
  add_library(breakeven_test_deps INTERFACE)
  breakeven_use_headers(breakeven_test_deps "${BREAKEVEN_BOOST_INCLUDE}" Boost::headers
                        Boost 1.71)
endif()

message(STATUS "breakeven: Eigen ${BREAKEVEN_EIGEN_INCLUDE}, Boost ${BREAKEVEN_BOOST_INCLUDE}, "
               "nlohmann_json ${BREAKEVEN_NLOHMANN_JSON_INCLUDE} (empty: system package)")
