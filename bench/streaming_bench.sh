#!/usr/bin/env bash
# Streaming ingestion figures of issue 7, against a throwaway PostgreSQL cluster on this machine
# (scripts/pg-cluster.sh: logged tables, fsync off):
#   latency    — events offered at RATE files/s x EVENTS events for SECONDS s into a watched folder
#                (each file complete, then renamed in); prints the end-to-end latency summary
#   throughput — a backlog of FILES x BIG events already in the folder, taken with --once;
#                prints rows/s over the run and while busy
# Usage: bench/streaming_bench.sh [latency|throughput|both]   (SLUICE=path/to/release/sluice)
#        EXTRA_SED='s/connections: 2/connections: 1/' edits the throughput pipeline (sed script);
#        KEEP=1 keeps the work folder (reports, batches.jsonl)
set -euo pipefail
what=${1:-both}
here=$(cd "$(dirname "$0")/.." && pwd)
sluice=${SLUICE:-$here/.build/release/sluice}
rate=${RATE:-10} events=${EVENTS:-1000} seconds=${SECONDS_TO_FEED:-60}
files=${FILES:-100} big=${BIG:-20000}
work=$(mktemp -d /tmp/sluice-stream-bench.XXXX)
chmod 755 "$work"
url=$(bash "$here/scripts/pg-cluster.sh" start "$work/pg")
trap 'bash "$here/scripts/pg-cluster.sh" stop "$work/pg"; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
export DATABASE_URL=$url

pipeline() {  # $1 = folder, $2 = table
  sed -e "s#incoming/\*.csv#$1/*.csv#" -e "s#public.user_events#public.$2#" -e "s#name: events-stream#name: $2#" \
    "$here/examples/events-streaming.yml" > "$work/$2.yml"
}

summary() {  # $1 = pipeline name
  python3 - "$work/.sluice/$1" <<'EOF'
import json, pathlib, sys
run = sorted(pathlib.Path(sys.argv[1]).glob("runs/*/report.json"))[-1]
r = json.loads(run.read_text()); s = r["streaming"]; e = s["latency"]["end_to_end"]
print(f"  rows in {r['rows_in']}, committed {r['rows_out']}, rejected {r['rows_rejected']}, batches {s['batches']}, wall {r['wall_seconds']} s")
print(f"  throughput: overall {s['throughput']['overall_rows_per_second']:.0f} rows/s, busy {s['throughput']['busy_rows_per_second']:.0f} rows/s, peak second {s['throughput']['peak_rows_per_second']:.0f} rows/s")
print(f"  end-to-end latency ms: p50 {e.get('p50_ms')}, p95 {e.get('p95_ms')}, p99 {e.get('p99_ms')}, max {e.get('max_ms')}, mean {e.get('mean_ms')}")
print(f"  report: {run.parent}/report.html")
EOF
}

cd "$work"
if [ "$what" = latency ] || [ "$what" = both ]; then
  n=$(python3 -c "print(int($rate * $seconds))")
  "$sluice" generate events --batches "$n" --events "$events" --invalid-rate 0.05 --out "$work/pool" 2>/dev/null
  pipeline lat lat
  mkdir -p lat
  "$sluice" run lat.yml --quiet & pid=$!
  sleep 1
  python3 "$here/scripts/stream-feeder.py" --pool "$work/pool" --to lat --files-per-second "$rate" --duration "$seconds"
  until [ "$(psql "$url" -Atc "SELECT count(*) FROM sluice_ledger WHERE pipeline='lat'")" -ge "$n" ]; do sleep 0.2; done
  kill -TERM $pid; wait $pid || true
  echo "latency: $rate files/s x $events events for $seconds s"
  summary lat
fi
if [ "$what" = throughput ] || [ "$what" = both ]; then
  "$sluice" generate events --batches "$files" --events "$big" --invalid-rate 0.05 --seed 5 --out "$work/thr" 2>/dev/null
  cat thr/*.csv > /dev/null  # page cache
  pipeline thr thr
  sed -i "s/max_files_per_trigger: 100/max_files_per_trigger: 20/; ${EXTRA_SED:-}" thr.yml
  "$sluice" run thr.yml --once --quiet
  echo "throughput: backlog of $files files x $big events"
  summary thr
fi
