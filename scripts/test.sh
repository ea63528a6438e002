#!/usr/bin/env bash
# The whole test suite: unit tests (swift test) and end-to-end tests that drive the built
# `sluice` binary and check the data against independent implementations (DuckDB, Python's csv,
# sqlite3). Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --python
echo "== swift build" >&2
swift build --build-tests 2>&1 | grep -E "error|warning: unre|Compiling|Build" | grep -v "^\[" | tail -5
echo "== swift test (unit)" >&2
swift test --skip-build 2>&1 | tail -15
echo "== end-to-end (pytest)" >&2
SLUICE_BIN="$PWD/.build/debug/sluice" .venv/bin/python -m pytest -q tests/e2e "$@"
