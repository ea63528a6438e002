#!/usr/bin/env bash
# OCP daily summary from Parquet input (issue 8): `sluice run` of examples/ocp-daily-summary.yml
# with every source and lookup switched to Parquet (as tests/e2e/test_ocp_summary.py::
# test_parquet_input_gives_the_same_summary does) against Koku's SQL in DuckDB
# (tests/e2e/koku_reference.py with fmt=parquet, map_concat label merge per row kept) on
# the same Parquet files, back to back, best of REPEAT. One-worker runs are pinned with
# `taskset -c 0`. Checks that both give the same row count and sum(pod_usage_cpu_core_hours).
#
# Usage: bash bench/ocp_bench.sh
#   SLUICE=.build/release/sluice  PY=.venv/bin/python  WORK=/tmp/bench-pq  REPEAT=3
#   SCENARIO=bench/ocp/scale-2m.yml  DATA=$WORK/ocp2m  (generated and converted to Parquet if it
#     has no pod_usage/*.parquet; RM_CSV=1 deletes each CSV once converted)
#   DAYS=720: instead of SCENARIO, scale-2m.yml over DAYS days (720 days = 49,766,400 hourly rows,
#     the issue's 50M; DATA defaults to $WORK/ocp-${DAYS}d). Scaling the replicas instead (24x
#     pods over 30 days) makes sluice's int64 sums of byte-seconds overflow; see BENCHMARKS.md.
#   WORKERS="1 2"  DUCKDB_THREADS=1 (either may be set empty to skip that tool)  DUCKDB_TIMEOUT=1200 (seconds; the run is reported as not
#     finished after that)  OUT=$WORK/out.sqlite
#   EXAMPLE=examples/ocp-daily-summary.yml (the pipeline to switch to Parquet; give the version
#     that matches the binary, e.g. `git show COMMIT:examples/ocp-daily-summary.yml > f.yml`)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sluice=$(realpath "${SLUICE:-$here/.build/release/sluice}")
py=${PY:-$here/.venv/bin/python}
work=${WORK:-/tmp/bench-pq}
mkdir -p "$work"
if [ -n "${DAYS:-}" ]; then
  scenario="$work/scale-${DAYS}d.yml"
  sed -e "s/end_date: 30\$/end_date: $DAYS/" "$here/bench/ocp/scale-2m.yml" >"$scenario"
  grep -q "end_date: $DAYS\$" "$scenario" || { echo "could not set end_date in $scenario" >&2; exit 1; }
  data=${DATA:-$work/ocp-${DAYS}d}
else
  scenario=${SCENARIO:-$here/bench/ocp/scale-2m.yml}
  data=${DATA:-$work/ocp2m}
fi
repeat=${REPEAT:-3}
workers=${WORKERS-1 2}
duck_threads=${DUCKDB_THREADS-1}
duck_timeout=${DUCKDB_TIMEOUT:-1200}
out=${OUT:-$work/out.sqlite}
example=${EXAMPLE:-$here/examples/ocp-daily-summary.yml}
keys="'app','team','tier','zone','pool','version','env','gpu'"
mkdir -p "$work"

if ! ls "$data"/pod_usage/*.parquet >/dev/null 2>&1; then
  "$sluice" generate ocp --scenario "$scenario" --out "$data"
  find "$data" -name '*.csv' | sort | while read -r f; do
    "$sluice" convert "$f" "${f%.csv}.parquet" --quiet
    if [ "${RM_CSV:-0}" = 1 ]; then rm "$f"; fi
  done
fi

# The pipeline beside its state folder (.sluice) in $work: every csv source/lookup becomes parquet.
pipe="$work/ocp-daily-summary-parquet.yml"
sed -e 's/type: csv/type: parquet/' -e 's/\*\.csv/*.parquet/' "$example" >"$pipe"
[ "$(grep -c 'type: parquet' "$pipe")" = 5 ] || { echo "expected 5 parquet sources in $pipe" >&2; exit 1; }

koku="$work/koku_parquet.py"
cat >"$koku" <<PYEOF
"""Koku's daily pod summary SQL (tests/e2e/koku_reference.py) over Parquet files, DuckDB, N threads.
Usage: koku_parquet.py FOLDER THREADS. Prints: seconds rows sum(pod_usage_cpu_core_hours)."""
import sys, time
sys.path.insert(0, "$here/tests/e2e")
from koku_reference import summary
t0 = time.time()
rows = summary(sys.argv[1], "00000000-0000-0000-0000-000000000000",
               ["app", "team", "tier", "zone", "pool", "version", "env", "gpu"], fmt="parquet", threads=int(sys.argv[2]), kind="VIEW")
print(f"{time.time() - t0:.3f} {len(rows)} {sum(r['pod_usage_cpu_core_hours'] for r in rows):.6f}")
PYEOF

# measure LABEL CMD... : best of $repeat by wall. Prints "| label | wall | CPU | RSS | load |".
measure() {
  local label=$1; shift
  best_wall=999999; best_line=""
  for _ in $(seq 1 "$repeat"); do
    local load; load=$(cut -d' ' -f1 /proc/loadavg)
    local rc=0
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >"$work/out" 2>&1 || rc=$?
    if [ "$rc" != 0 ]; then
      if [ "$rc" = 124 ]; then
        best_line=$(printf '| %s | not finished after %s s | | | %s |' "$label" "$duck_timeout" "$load"); best_wall=0; break
      fi
      cat "$work/out" >&2; exit 1
    fi
    local wall user sys rss; read -r wall user sys rss <"$work/time"
    if (( $(echo "$wall < $best_wall" | bc) )); then
      best_wall=$wall; cp "$work/out" "$work/best.out"
      best_line=$(printf '| %s | %.2f s | %.2f s | %d MB | %s |' "$label" "$wall" "$(echo "$user + $sys" | bc)" $((rss / 1024)) "$load")
    fi
  done
  printf '%s' "$best_line"
}

hourly=$("$py" -c "import duckdb,sys; print(duckdb.connect().execute(\"SELECT count(*) FROM read_parquet('$data/pod_usage/*.parquet')\").fetchone()[0])")
echo "sluice: $sluice ($(date -r "$sluice" '+%F %T')); data: $data ($hourly hourly rows, $(du -sh --exclude='*.csv' "$data" | cut -f1) of Parquet); $(nproc) cores; repeat $repeat; $(date -u '+%F %T UTC')"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| run | wall | CPU (user+sys) | peak RSS | load before | rows / sum(pod_usage_cpu_core_hours) | DuckDB / sluice (wall) |"
echo "|---|---|---|---|---|---|---|"
cat "$data"/*/*.parquet >/dev/null
declare -A sl
got=""
for w in $workers; do
  pin=""; [ "$w" = 1 ] && pin="taskset -c 0"
  measure "sluice run --workers $w" env OCP_DATA="$data" OCP_OUT="$out" OCP_ENABLED_KEYS="$keys" \
    $pin "$sluice" run "$pipe" --workers "$w" --full-refresh
  sl[$w]=$best_wall
  got=$("$py" -c "import sqlite3; r = sqlite3.connect('$out').execute('SELECT count(*), sum(pod_usage_cpu_core_hours) FROM reporting_ocpusagelineitem_daily_summary').fetchone(); print(f'{r[0]} / {r[1]:.6f}')")
  echo " $got | |"
done
for t in $duck_threads; do
  pin=""; [ "$t" = 1 ] && pin="taskset -c 0"
  measure "DuckDB, Koku's SQL, threads=$t" timeout "$duck_timeout" $pin "$py" "$koku" "$data" "$t"
  if [ "$best_wall" = 0 ]; then echo " | |"; continue; fi
  want=$(awk '{printf "%s / %s", $2, $3}' "$work/best.out")
  [ -z "$got" ] || [ "$want" = "$got" ] || echo "MISMATCH: sluice $got, DuckDB $want" >&2
  ratios=""; for w in $workers; do ratios+="$(printf '%.2fx (%s worker%s) ' "$(echo "$best_wall / ${sl[$w]}" | bc -l)" "$w" "$([ "$w" = 1 ] || echo s)")"; done
  echo " $want | $ratios|"
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
