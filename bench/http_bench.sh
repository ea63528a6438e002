#!/usr/bin/env bash
# API collection figures of issue 6: the 24-year hourly EIA pull of examples/eia-demand.yml
# against `sluice serve-mock eia` on this machine, rate-limited at RATE requests/s.
# Prints, per case, the requests, the emulator's limit violations (429s it sent), the request
# rate while fetching (first to last request in the emulator's log), the wall time of the run,
# and the rate end to end (requests / wall), as a share of the limit.
# Usage: bench/http_bench.sh [plain|split|both]   (SLUICE=path/to/release/sluice, RATE=20)
set -euo pipefail
what=${1:-both}
here=$(cd "$(dirname "$0")/.." && pwd)
sluice=${SLUICE:-$here/.build/release/sluice}
rate=${RATE:-20}
work=$(mktemp -d /tmp/sluice-http-bench.XXXX)
trap 'kill $mock 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"

"$sluice" serve-mock eia --port 0 --rate-limit "$rate" --request-log req.jsonl > mock.out 2> mock.err &
mock=$!
for _ in $(seq 100); do grep -q listening mock.out 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's#.*127.0.0.1:\([0-9]*\).*#\1#p' mock.out | head -1)

one() {  # $1 = case name, $2 = extra source lines
  sed -e "s#rate_limit: {requests: 20#rate_limit: {requests: $rate#" "$here/examples/eia-demand.yml" > "$1.yml"
  if [ -n "$2" ]; then sed -i "s#^  concurrency: 3#  concurrency: 3\n$2#" "$1.yml"; fi
  sed -i -e "s#^name: eia-demand#name: $1#" -e "s#path: cache/eia#path: cache/$1#" "$1.yml"
  : > req.jsonl
  local t0 t1
  t0=$(date +%s.%N)
  EIA_BASE_URL=http://127.0.0.1:$port EIA_API_KEY=bench "$sluice" run "$1.yml" --quiet
  t1=$(date +%s.%N)
  python3 - "$1" "$rate" "$t0" "$t1" <<'EOF'
import json, sys
from datetime import datetime
name, rate, t0, t1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
reqs = [json.loads(l) for l in open("req.jsonl") if l.strip()]
times = sorted(datetime.fromisoformat(q["time"].replace("Z", "+00:00")).timestamp() for q in reqs)
span = times[-1] - times[0]
fetch = (len(reqs) - 1) / span if span > 0 else float("nan")
wall = t1 - t0
limited = sum(1 for q in reqs if q.get("rate_limited"))
print(f"{name}: {len(reqs)} requests, {limited} over the limit; while fetching {fetch:.2f}/s "
      f"({100 * fetch / rate:.1f} % of {rate:g}/s) over {span:.2f} s; wall {wall:.2f} s, "
      f"end to end {len(reqs) / wall:.2f}/s ({100 * len(reqs) / wall / rate:.1f} %)")
EOF
}

if [ "$what" = plain ] || [ "$what" = both ]; then one eia-plain ""; fi
if [ "$what" = split ] || [ "$what" = both ]; then one eia-split "  split_by: [respondent]"; fi
