#!/usr/bin/env bash
# Installs what Sluice needs on a fresh Debian machine (idempotent; quiet when all is present):
# system libraries for the build (SQLite, and zlib, zstd, snappy and lz4 for the Parquet codecs), the sqlite3 CLI, and (with --python) a virtualenv with the
# independent implementations the tests compare against (DuckDB, pyarrow) plus pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in libsqlite3-dev zlib1g-dev libzstd-dev libsnappy-dev liblz4-dev pkgconf sqlite3 gzip; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ "${1:-}" = "--python" ]; then
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: the Swift toolchain (6.2 or later) must be on PATH" >&2; exit 1; }

if [ "${1:-}" = "--python" ]; then
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import duckdb, pyarrow, pytest' >/dev/null 2>&1; then
    echo "setup: creating .venv with pytest, duckdb, pyarrow" >&2
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check pytest duckdb pyarrow
  fi
fi
