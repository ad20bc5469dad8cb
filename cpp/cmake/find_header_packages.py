"""Print the include folders of the header-only C++ dependencies installed from PyPI.

Used by CMake (cmake/Dependencies.cmake); prints `NAME=PATH` lines for those found,
without importing the packages (nlohmann_json's __init__ needs importlib_resources).
"""

import importlib.util
import os
import sys


def package_dir(name):
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


def main():
    found = {}
    boost = package_dir("boost_headers")
    if boost and os.path.isdir(os.path.join(boost, "include", "boost", "random")):
        found["BOOST"] = os.path.join(boost, "include")
    nlohmann = package_dir("nlohmann_json")
    if nlohmann and os.path.isfile(os.path.join(nlohmann, "include", "nlohmann", "json.hpp")):
        found["NLOHMANN_JSON"] = os.path.join(nlohmann, "include")
    for entry in sys.path:  # cmeel packages install under site-packages/cmeel.prefix
        eigen = os.path.join(entry, "cmeel.prefix", "include", "eigen3")
        if os.path.isfile(os.path.join(eigen, "Eigen", "Dense")):
            found["EIGEN"] = eigen
            break
    for key, path in found.items():
        print(f"{key}={path}")


if __name__ == "__main__":
    main()
