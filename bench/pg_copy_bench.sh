#!/usr/bin/env bash
# Telecom CSV -> logged PostgreSQL table (issue 5): `psql \copy` against `sluice run` with
# `connections: N`, back to back on one throwaway cluster (scripts/pg-cluster.sh, fsync off),
# each load into a fresh table of the same columns, REPEAT rounds. Prints one Markdown row per
# load: wall and client CPU (/usr/bin/time), server CPU (CPU of the backends that exited, read
# from the postmaster's children times), rows/s, the ratio to the round's psql, and the load
# average just before the load. Checks that count(*) and sum(internet) (exact, as numeric) match psql's table.
# Usage: SLUICE=.build/release/sluice bench/pg_copy_bench.sh
#   ROWS=20000000 DATA=/tmp/pgpar/t20m.csv (generated when missing) CONNECTIONS="1 2 3" WORKERS=2 REPEAT=2
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sluice=$(realpath "${SLUICE:-$here/.build/release/sluice}")
rows=${ROWS:-20000000}
data=${DATA:-/tmp/pgpar/t20m.csv}
connections=${CONNECTIONS:-1 2 3}
workers=${WORKERS:-2}
repeat=${REPEAT:-2}

if [ ! -f "$data" ]; then
  mkdir -p "$(dirname "$data")"
  "$sluice" generate telecom --rows "$rows" --out "$data" >/dev/null
fi
work=$(mktemp -d /tmp/sluice-copy-bench.XXXX)
chmod 755 "$work"
url=$(bash "$here/scripts/pg-cluster.sh" start "$work/pg")
trap 'bash "$here/scripts/pg-cluster.sh" stop "$work/pg"; rm -rf "$work"' EXIT
postmaster=$(head -1 "$work/pg/data/postmaster.pid")
tick=$(getconf CLK_TCK)

q() { psql -X -q -At "$url" -v ON_ERROR_STOP=1 -c "$1"; }
columns="square_id integer, time_interval bigint, country_code integer, sms_in double precision, sms_out double precision,
  call_in double precision, call_out double precision, internet double precision"
# CPU seconds of the server's exited children (the backends of finished loads).
server_cpu() { awk -v t="$tick" '{ printf "%.2f", ($16 + $17) / t }' "/proc/$postmaster/stat"; }

pipeline() {  # $1 = connections
  cat >"$work/bench-$1.yml" <<EOF
name: copy-bench
source:
  type: csv
  paths: ["$data"]
  header: true
  schema: {square_id: int32, time_interval: int64, country_code: int32, sms_in: float64, sms_out: float64,
           call_in: float64, call_out: float64, internet: float64}
sink:
  type: postgres
  url: \${DATABASE_URL}
  table: bench_sluice
  mode: append
  copy_format: auto
  connections: $1
workers: $workers
EOF
}

# $1 = label, $2 = table, rest = command. Sets `wall` and `result` (count|sum) and prints the row.
timed() {
  local label=$1 table=$2; shift 2
  q "CHECKPOINT"
  sync
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  local cpu0; cpu0=$(server_cpu)
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" >"$work/out" 2>&1 || { cat "$work/out"; exit 1; }
  # the backends exit with their connections; give the postmaster a moment to reap them
  sleep 1
  local cpu1; cpu1=$(server_cpu)
  read -r wall user sys <"$work/time"
  result=$(q "SELECT count(*), sum(internet::numeric) FROM $table")
  local n sum; IFS='|' read -r n sum <<<"$result"
  printf '| %s | %.2f s | %.2f s | %.2f s | %.0fk | %s | %s |' "$label" "$wall" "$(echo "$user + $sys" | bc)" \
    "$(echo "$cpu1 - $cpu0" | bc)" "$(echo "$n / $wall / 1000" | bc -l)" "$load" "$n / $sum"
}

echo "sluice: $sluice; data: $data ($(wc -c <"$data") bytes); workers $workers; $(nproc) cores"
echo "| run | wall | client CPU | server CPU | rows/s | load avg (1 min) before | count / sum(internet) | speed vs psql |"
echo "|---|---|---|---|---|---|---|---|"
cat "$data" >/dev/null  # in page cache for every load alike
for round in $(seq 1 "$repeat"); do
  q "DROP TABLE IF EXISTS bench_psql; CREATE TABLE bench_psql ($columns)"
  timed "psql \\copy, round $round" bench_psql psql -X -q "$url" -c "\\copy bench_psql FROM '$data' CSV HEADER"
  psql_wall=$wall
  want=$result
  echo " 1.00x |"
  q "DROP TABLE bench_psql"
  for c in $connections; do
    pipeline "$c"
    timed "sluice connections $c, round $round" bench_sluice \
      env DATABASE_URL="$url" "$sluice" run "$work/bench-$c.yml" --full-refresh --quiet
    echo " $(printf '%.2f' "$(echo "$psql_wall / $wall" | bc -l)")x |"
    [ "$result" = "$want" ] || { echo "MISMATCH: sluice $result, psql $want" >&2; exit 1; }
  done
  q "DROP TABLE IF EXISTS bench_sluice"
done
