#!/usr/bin/env bash
# The demo on embedded defaults (no server): build Sluice, generate 1M rows of the Milan telecom
# dataset, load them into SQLite with examples/telecom-to-sqlite.yml, and show the result.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== building sluice (release)" >&2
swift build -c release --product sluice 2>&1 | tail -1
BIN=.build/release/sluice
$BIN generate telecom --rows "${ROWS:-1000000}" --out data/telecom/telecom.csv
$BIN validate examples/telecom-to-sqlite.yml
$BIN run examples/telecom-to-sqlite.yml --full-refresh
echo "== out/telecom.sqlite" >&2
sqlite3 -header -column out/telecom.sqlite \
  "SELECT count(*) AS rows, round(sum(internet), 3) AS internet, count(DISTINCT square_id) AS squares,
          min(day) AS first_day, max(day) AS last_day FROM telecom"
