#!/usr/bin/env bash
# Install what the tests need and run all of them: GoogleTest (C++ engine), the
# recorded scenarios (`breakeven check`), then pytest (Python API, CLI, JSON
# contract, error messages, notebooks). README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."

# From Debian: GoogleTest (PyPI has no CMake package of it), chromium and
# poppler-utils, with which the report tests open the HTML and PDF reports, and
# the PostgreSQL server the ingest tests start (they stop it themselves).
missing=""
[ -f /usr/include/gtest/gtest.h ] || missing="$missing libgtest-dev"
command -v chromium >/dev/null || missing="$missing chromium"
command -v pdftoppm >/dev/null || missing="$missing poppler-utils"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
if [ -n "$missing" ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi

python3 -m pip install -q ".[test]"

cmake -S . -B build/cpp-tests -DBREAKEVEN_TESTS=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/cpp-tests -j "$(nproc)"
ctest --test-dir build/cpp-tests --output-on-failure

# Recorded scenarios: expectations and recordings (exits 1 on any failure).
python3 -m breakeven check scenarios/

python3 -m pytest "$@"
