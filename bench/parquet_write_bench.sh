#!/usr/bin/env bash
# Issue 4's write line: zstd Parquet of the 20M-row telecom CSV, the write alone, one core.
# sluice: `sluice run` of a CSV -> Parquet file pipeline; its report's stage_seconds.sink is the
# time spent encoding, compressing and writing (parsing is stage_seconds.parse).
# pyarrow: pq.write_table(compression='zstd') of the same table, already in memory.
# Usage: bash bench/parquet_write_bench.sh   (SLUICE=.build/release/sluice CSV=/tmp/pgpar/t20m.csv
#        PY=.venv/bin/python OUT=/dev/shm; the CSV is generated when missing)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sluice=$(realpath "${SLUICE:-$here/.build/release/sluice}")
py=${PY:-$here/.venv/bin/python}
csv=${CSV:-/tmp/pgpar/t20m.csv}
out=${OUT:-/dev/shm}
work=$(mktemp -d /tmp/sluice-pqw.XXXX)
trap 'rm -rf "$work" "$out/sluice-w.parquet" "$out/pyarrow-w.parquet"' EXIT
[ -f "$csv" ] || "$sluice" generate telecom --rows 20000000 --out "$csv"
cat >"$work/w.yml" <<YML
name: wbench
state: $work/state
source:
  type: csv
  path: $csv
  schema: {square_id: int32, time_interval: timestamp(ms), country_code: int32, sms_in: float64, sms_out: float64, call_in: float64, call_out: float64, internet: float64}
sink: {type: parquet, file: $out/sluice-w.parquet, compression: zstd}
YML
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in 1 2 3; do
  taskset -c 0 "$sluice" run "$work/w.yml" --workers 1 --full-refresh --quiet
  "$py" - "$work/state/wbench/runs" <<'PY'
import json, pathlib, sys
r = json.loads(sorted(pathlib.Path(sys.argv[1]).glob("*/report.json"))[-1].read_text())
print(f"sluice: write (encode + zstd + write) {r['stage_seconds']['sink']:.3f} s, parse {r['stage_seconds']['parse']:.3f} s, run {r['wall_seconds']:.3f} s")
PY
done
taskset -c 0 "$py" - "$csv" "$out/pyarrow-w.parquet" <<'PY'
import sys, time, pyarrow as pa, pyarrow.csv as pc, pyarrow.parquet as pq
pa.set_cpu_count(1); pa.set_io_thread_count(1)
types = {"square_id": pa.int32(), "time_interval": pa.int64(), "country_code": pa.int32(), "sms_in": pa.float64(),
         "sms_out": pa.float64(), "call_in": pa.float64(), "call_out": pa.float64(), "internet": pa.float64()}
t = pc.read_csv(sys.argv[1], convert_options=pc.ConvertOptions(column_types=types))
t = t.set_column(1, "time_interval", t.column(1).cast(pa.timestamp("ms")))
for _ in range(3):
    t0 = time.time()
    pq.write_table(t, sys.argv[2], compression="zstd")
    print(f"pyarrow: write_table zstd {time.time() - t0:.3f} s")
PY
ls -l "$out/sluice-w.parquet" "$out/pyarrow-w.parquet" | awk '{print $5, $9}'
