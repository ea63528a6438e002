#!/usr/bin/env bash
# The engine against the hand-written parser that swift-notes.md §4 measured before Sluice existed,
# and both against Polars read_csv, on two files: the telecom CSV (3 integer columns, 5 floats of
# 15-17 significant digits, half of them empty) and a file of the probe's own shape (4 integers,
# 4 short decimals, no empty fields). One core each (taskset -c 0), files in page cache, best of
# --repeat runs, all in one run so the ratios compare like with like. Every run must count all of
# the file's records.
#
# Usage: bench/probe_bench.sh [--telecom FILE] [--probe-file FILE] [--rows N] [--repeat N]
#   --telecom FILE     telecom CSV (default: sluice generate telecom --rows N --seed 42)
#   --probe-file FILE  probe-shaped CSV (default: bench/probe/gen_probe_shape.swift, N rows)
#   --rows N           rows of the generated files (default 20000000)
#   --repeat N         timed runs per tool and file (default 3)
# Needs a release build (swift build -c release --product sluice) and .venv with polars
# (bash scripts/setup.sh --python; .venv/bin/pip install polars).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROWS=20000000
REPEAT=3
TELECOM=""
PROBE_FILE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --telecom) TELECOM=$2; shift 2 ;;
    --probe-file) PROBE_FILE=$2; shift 2 ;;
    --rows) ROWS=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    -h|--help) sed -n 2,15p "$0"; exit 0 ;;
    *) echo "probe_bench: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
SLUICE=$ROOT/.build/release/sluice
PY=$ROOT/.venv/bin/python
[ -x "$SLUICE" ] || { echo "probe_bench: build first: swift build -c release --product sluice" >&2; exit 1; }
"$PY" -c 'import polars' 2>/dev/null || {
  echo "probe_bench: needs polars in .venv: bash scripts/setup.sh --python && .venv/bin/pip install polars" >&2; exit 1; }
WORK=${TMPDIR:-/tmp}/sluice-probe-bench
mkdir -p "$WORK"
swiftc -Ounchecked -wmo "$ROOT/bench/probe/hand_parser.swift" -o "$WORK/hand_parser"
swiftc -O -parse-as-library "$ROOT/bench/probe/gen_probe_shape.swift" \
  "$ROOT/Sources/SluiceEngine/Generate/GeneratorRandom.swift" -o "$WORK/gen_probe_shape"
if [ -z "$TELECOM" ]; then
  TELECOM=$WORK/telecom-$ROWS.csv
  [ -s "$TELECOM" ] || "$SLUICE" generate telecom --rows "$ROWS" --seed 42 --out "$TELECOM"
fi
if [ -z "$PROBE_FILE" ]; then
  PROBE_FILE=$WORK/probe-shape-$ROWS-seed42.csv
  [ -s "$PROBE_FILE" ] || "$WORK/gen_probe_shape" "$ROWS" "$PROBE_FILE"
fi
cat "$TELECOM" "$PROBE_FILE" > /dev/null  # into the page cache

# best SECONDS of REPEAT runs of a command that prints its time as "N.NNN s" on the line matching
# PATTERN and its row count as "rows: N" (or "N rows"); every run must count ROWS rows.
best() { local pattern=$1 rows=$2; shift 2; local b=""
  for _ in $(seq "$REPEAT"); do
    local out t n
    out=$(taskset -c 0 "$@" 2>&1)
    t=$(echo "$out" | grep -E "$pattern" | grep -oE '[0-9]+\.[0-9]+ s' | tail -1 | cut -d' ' -f1)
    n=$(echo "$out" | grep -oE 'rows: [0-9]+|[0-9]+ rows' | head -1 | grep -oE '[0-9]+')
    [ -n "$t" ] || { echo "probe_bench: no time from: $*" >&2; exit 1; }
    [ "$n" = "$rows" ] || { echo "probe_bench: $* counted ${n:-no} rows, the file has $rows" >&2; exit 1; }
    if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then b=$t; fi
  done; echo "$b"; }

# Polars read_csv with the file's schema, then len and the 8 sums.
cat > "$WORK/polars_read.py" <<'PYEOF'
import sys, time, polars as pl
path, kind = sys.argv[1], sys.argv[2]
names = (["square_id", "time_interval", "country_code", "sms_in", "sms_out", "call_in", "call_out", "internet"]
         if kind == "telecom" else ["id", "small", "signed", "u16", "price", "a", "b", "c"])
ints = 3 if kind == "telecom" else 4
schema = {n: (pl.Int64 if i < ints else pl.Float64) for i, n in enumerate(names)}
t = time.perf_counter()
df = pl.read_csv(path, schema=schema)
sums = [len(df)] + [df[c].sum() for c in df.columns]
print("polars: %.3f s, rows: %d" % (time.perf_counter() - t, sums[0]))
PYEOF

echo "| file | tool | seconds | rows/s | Sluice / tool |"
echo "|---|---|---|---|---|"
for spec in "telecom:$TELECOM:3" "probe:$PROBE_FILE:4"; do
  kind=${spec%%:*}; rest=${spec#*:}; file=${rest%:*}; ints=${rest##*:}
  rows=$(( $(wc -l < "$file") - 1 ))
  s=$(best 'parsed:' "$rows" "$SLUICE" inspect --stats --rows 0 --workers 1 "$file")
  h=$(best 'hand parser:' "$rows" "$WORK/hand_parser" "$file" "$ints")
  p=$(POLARS_MAX_THREADS=1 best 'polars:' "$rows" "$PY" "$WORK/polars_read.py" "$file" "$kind")
  for tool in "sluice:$s" "hand parser (no reading, no statistics):$h" "polars read_csv:$p"; do
    name=${tool%:*}; t=${tool##*:}
    ratio=$(awk "BEGIN{printf \"%.2fx\", $t / $s}")
    [ "$name" = sluice ] && ratio=""
    awk -v f="$kind" -v n="$name" -v t="$t" -v r="$rows" -v x="$ratio" 'BEGIN{printf "| %s | %s | %.3f | %.2fM | %s |\n", f, n, t, r / t / 1e6, x}'
  done
done
