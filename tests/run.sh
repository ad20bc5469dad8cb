#!/usr/bin/env bash
# Install what the tests need and run all of them: GoogleTest (C++ engine), the
# recorded scenarios (`breakeven check`), then pytest (Python API, CLI, JSON
# contract, error messages, notebooks). README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."

# GoogleTest comes from Debian (libgtest-dev); PyPI has no CMake package of it.
if [ ! -f /usr/include/gtest/gtest.h ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libgtest-dev >/dev/null
fi

python3 -m pip install -q ".[test]"

cmake -S . -B build/cpp-tests -DBREAKEVEN_TESTS=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/cpp-tests -j "$(nproc)"
ctest --test-dir build/cpp-tests --output-on-failure

# Recorded scenarios: expectations and recordings (exits 1 on any failure).
breakeven check scenarios/

python3 -m pytest "$@"
