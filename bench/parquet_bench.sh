#!/usr/bin/env bash
# Parquet read and write (issue 4): the sluice binary against Polars and pyarrow (and DuckDB for
# reading), back to back in one run, best of REPEAT, one worker pinned to core 0 (`taskset -c 0`).
#
# Read: every value of all 8 columns (or 3 of them) of the 20M-row telecom file, zstd and snappy:
#   sluice inspect --stats --rows 0 --workers 1 [--columns ...] FILE   (parses, counts, nulls, min, max, sums)
#   Polars  pl.read_parquet(FILE, columns=...) + sum of every column      (POLARS_MAX_THREADS=1)
#   pyarrow pq.read_table(FILE, columns=..., use_threads=False) + pc.sum  (pa.set_cpu_count(1))
#   DuckDB  SELECT count(*), sum(c) ... FROM read_parquet(FILE)           (SET threads=1)
# Write zstd Parquet of the 20M-row telecom CSV:
#   sluice convert CSV OUT.parquet --workers W            (CSV parse + Parquet encode + zstd + write)
#   sluice convert PQ OUT.parquet --workers 1              (Parquet decode + encode + zstd + write)
#   pyarrow pq.write_table(table, compression='zstd')      (only the write; table read from the CSV first, untimed)
#   Polars  df.write_parquet(compression='zstd')           (only the write; same)
#   pyarrow csv.read_csv + pq.write_table                  (end to end, like sluice convert)
#
# Every row shows the process's wall, CPU (user+sys) and peak RSS from /usr/bin/time, the 1-minute
# load average just before the run, and for the Python tools also the time of the operation alone
# inside the process ("op": without interpreter start and imports). The ratio is the other tool's
# op time (or process wall for sluice) over sluice's process wall: the strict comparison, since
# sluice's figure includes its own process start.
#
# Usage: bash bench/parquet_bench.sh
#   SLUICE=.build/release/sluice  PY=.venv/bin/python  REPEAT=3  WORK=/tmp/bench-pq
#   CSV=/tmp/pgpar/t20m.csv (generated with `sluice generate telecom --rows $ROWS` if missing)
#   PQZ=/tmp/pqbench/telecom_zstd.parquet PQS=/tmp/pqbench/telecom_snappy.parquet
#     (written from CSV by pyarrow if missing, 1Mi-row row groups, time_interval as timestamp(ms))
#   ROWS=20000000  CASES="read write"  COLUMNS=square_id,time_interval,internet
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sluice=$(realpath "${SLUICE:-$here/.build/release/sluice}")
py=${PY:-$here/.venv/bin/python}
rows=${ROWS:-20000000}
work=${WORK:-/tmp/bench-pq}
csv=${CSV:-/tmp/pgpar/t20m.csv}
pqz=${PQZ:-/tmp/pqbench/telecom_zstd.parquet}
pqs=${PQS:-/tmp/pqbench/telecom_snappy.parquet}
repeat=${REPEAT:-3}
cases=${CASES:-read write}
cols3=${COLUMNS:-square_id,time_interval,internet}
# Written files go to tmpfs by default: sluice convert fsyncs its output (and folder) before it
# reports success, pyarrow and Polars do not; on tmpfs fsync costs nothing, so both time the same
# work. One extra row writes to $work (disk) to show what the fsync costs there.
outdir=${OUTDIR:-/dev/shm/bench-pq}
mkdir -p "$work" "$outdir"
tools="$work/pq_tools.py"

cat >"$tools" <<'PYEOF'
import os, sys, time
mode, args = sys.argv[1], sys.argv[2:]

def clock():
    return time.perf_counter(), time.process_time()

def done(t, extra):
    w0, c0 = t
    print(f"op {time.perf_counter() - w0:.3f} {time.process_time() - c0:.3f} {extra}")

def cols_arg(i):
    return args[i].split(",") if len(args) > i and args[i] else None

if mode.startswith("pyarrow"):
    import pyarrow as pa, pyarrow.parquet as pq, pyarrow.compute as pc, pyarrow.csv as pcsv
    threads = int(os.environ.get("THREADS", "1"))
    pa.set_cpu_count(threads); pa.set_io_thread_count(threads)
    SCHEMA = {"square_id": pa.int32(), "time_interval": pa.int64(), "country_code": pa.int32(),
              "sms_in": pa.float64(), "sms_out": pa.float64(), "call_in": pa.float64(),
              "call_out": pa.float64(), "internet": pa.float64()}
    def read_csv(path):
        return pcsv.read_csv(path, read_options=pcsv.ReadOptions(use_threads=threads > 1, block_size=1 << 24),
                             convert_options=pcsv.ConvertOptions(column_types=SCHEMA))
if mode == "pyarrow-read":
    t = clock()
    tbl = pq.read_table(args[0], columns=cols_arg(1), use_threads=False)
    sums = {}
    for name in tbl.column_names:
        col = tbl.column(name)
        if pa.types.is_timestamp(col.type):
            col = col.cast(pa.int64())
        sums[name] = pc.sum(col).as_py()
    done(t, f"rows={tbl.num_rows} internet={sums.get('internet')}")
elif mode == "pyarrow-write":            # CSV -> table (untimed), then time write_table only
    tbl = read_csv(args[0])
    t = clock()
    pq.write_table(tbl, args[1], compression="zstd")
    done(t, f"rows={tbl.num_rows}")
elif mode == "pyarrow-csv2pq":           # end to end
    t = clock()
    tbl = read_csv(args[0])
    pq.write_table(tbl, args[1], compression="zstd")
    done(t, f"rows={tbl.num_rows}")
elif mode == "pyarrow-makeparquet":      # input generation only
    tbl = read_csv(args[0])
    tbl = tbl.set_column(1, "time_interval", tbl.column(1).cast(pa.timestamp("ms")))
    pq.write_table(tbl, args[1], compression=args[2])
elif mode == "pyarrow-check":            # count and sum(internet) of a written file
    tbl = pq.read_table(args[0], columns=["internet"])
    md = pq.ParquetFile(args[0]).metadata
    print(f"rows={tbl.num_rows} internet={pc.sum(tbl.column(0)).as_py()} row_groups={md.num_row_groups}")
elif mode == "polars-read":
    import polars as pl
    t = clock()
    df = pl.read_parquet(args[0], columns=cols_arg(1))
    exprs = [(pl.col(c).cast(pl.Int64) if df.schema[c].is_temporal() else pl.col(c)).sum().alias(c)
             for c in df.columns]
    sums = df.select(exprs).row(0, named=True)
    done(t, f"rows={df.height} internet={sums.get('internet')}")
elif mode == "polars-write":
    import polars as pl
    schema = {"square_id": pl.Int32, "time_interval": pl.Int64, "country_code": pl.Int32,
              "sms_in": pl.Float64, "sms_out": pl.Float64, "call_in": pl.Float64,
              "call_out": pl.Float64, "internet": pl.Float64}
    df = pl.read_csv(args[0], schema=schema)
    t = clock()
    df.write_parquet(args[1], compression="zstd")
    done(t, f"rows={df.height}")
elif mode == "duckdb-read":
    import duckdb
    con = duckdb.connect()
    con.execute("SET threads=1")
    t = clock()
    names = cols_arg(1) or [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{args[0]}')").fetchall()]
    sel = ", ".join(f"sum(epoch_ms({c}))" if c == "time_interval" else f"sum({c})" for c in names)
    r = con.execute(f"SELECT count(*), {sel} FROM read_parquet('{args[0]}')").fetchone()
    internet = r[1 + names.index("internet")] if "internet" in names else None
    done(t, f"rows={r[0]} internet={internet}")
else:
    sys.exit(f"unknown mode {mode}")
PYEOF

if [ ! -f "$csv" ]; then
  mkdir -p "$(dirname "$csv")"
  "$sluice" generate telecom --rows "$rows" --out "$csv" >/dev/null
fi
for pair in "$pqz zstd" "$pqs snappy"; do
  set -- $pair
  if [ ! -f "$1" ]; then mkdir -p "$(dirname "$1")"; "$py" "$tools" pyarrow-makeparquet "$csv" "$1" "$2"; fi
done

# measure LABEL KIND CMD... : best of $repeat by process wall; KIND is sluice or py (py prints "op W C extra").
# Sets best_wall best_op and prints "| label | wall | cpu | rss | op | load | check |".
measure() {
  local label=$1 kind=$2; shift 2
  best_wall=999999; best_line=""
  for _ in $(seq 1 "$repeat"); do
    local load; load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >"$work/out" 2>&1 || { cat "$work/out" >&2; exit 1; }
    local wall user sys rss; read -r wall user sys rss <"$work/time"
    local op="-" check=""
    if [ "$kind" = py ]; then
      local line; line=$(grep '^op ' "$work/out")
      op=$(awk '{print $2}' <<<"$line"); local opcpu; opcpu=$(awk '{print $3}' <<<"$line")
      op="$op s ($opcpu s CPU)"; check=$(cut -d' ' -f4- <<<"$line")
      opwall=$(awk '{print $2}' <<<"$line")
    else
      opwall=$wall
      check=$(awk '/^read: /{r=$2} $1=="internet"{v=$NF} END{if (r != "") printf "rows=%s internet=%s", r, v}' "$work/out")
    fi
    if (( $(echo "$wall < $best_wall" | bc) )); then
      best_wall=$wall; best_op=$opwall
      best_line=$(printf '| %s | %.2f s | %.2f s | %d MB | %s | %s | %s |' "$label" "$wall" \
        "$(echo "$user + $sys" | bc)" $((rss / 1024)) "$op" "$load" "$check")
    fi
  done
  printf '%s' "$best_line"
}
ratio() { printf ' %.2fx |\n' "$(echo "$1 / $2" | bc -l)"; }   # other / sluice
pin="taskset -c 0"

echo "sluice: $sluice ($(date -r "$sluice" '+%F %T')); python: $py; $(nproc) cores; repeat $repeat; $(date -u '+%F %T UTC')"
"$py" -c 'import pyarrow, polars, duckdb; print("pyarrow", pyarrow.__version__, "polars", polars.__version__, "duckdb", duckdb.__version__)'
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ " $cases " == *" read "* ]]; then
  echo
  echo "Read, one worker on core 0 (ratio = tool's op time / sluice's process wall; >1 means sluice is faster)"
  echo
  echo "| file | columns | tool | process wall | process CPU | peak RSS | op (in process) | load before | check | tool / sluice |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for f in "$pqz" "$pqs"; do
    cat "$f" >/dev/null
    codec=$(basename "$f" .parquet); codec=${codec##*_}
    for cols in all "$cols3"; do
      if [ "$cols" = all ]; then n=8; carg=(); parg=""; else n=3; carg=(--columns "$cols"); parg=$cols; fi
      measure "$codec | $n | sluice" sluice $pin "$sluice" inspect --stats --rows 0 --workers 1 "${carg[@]}" "$f"
      s=$best_wall; echo " 1.00x |"
      eval "sluice_${codec}_$n=$s"
      measure "$codec | $n | polars" py env POLARS_MAX_THREADS=1 $pin "$py" "$tools" polars-read "$f" "$parg"
      ratio "$best_op" "$s"
      measure "$codec | $n | pyarrow" py $pin "$py" "$tools" pyarrow-read "$f" "$parg"
      ratio "$best_op" "$s"
      measure "$codec | $n | duckdb" py $pin "$py" "$tools" duckdb-read "$f" "$parg"
      ratio "$best_op" "$s"
    done
  done
  echo
  for codec in zstd snappy; do
    eval "a=\$sluice_${codec}_8 b=\$sluice_${codec}_3"
    printf 'sluice %s: 8 columns %.2f s, 3 columns %.2f s: 3 columns are %.2fx faster\n' "$codec" "$a" "$b" "$(echo "$a / $b" | bc -l)"
  done
fi

if [[ " $cases " == *" write "* ]]; then
  echo
  echo "Write zstd Parquet of $csv ($(wc -c <"$csv") bytes) (ratio = tool's op time / sluice's process wall)"
  echo
  echo "| tool | what is timed | process wall | process CPU | peak RSS | op (in process) | load before | check | tool / sluice convert (1 worker) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  cat "$csv" >/dev/null
  out="$outdir/out_sluice.parquet"
  measure "sluice convert, 1 worker | CSV parse + encode + zstd + write" sluice $pin "$sluice" convert --workers 1 --quiet "$csv" "$out"
  s1=$best_wall; echo " 1.00x |"
  check_s=$("$py" "$tools" pyarrow-check "$out"); sz_s=$(wc -c <"$out")
  measure "sluice convert, 2 workers | same" sluice "$sluice" convert --workers 2 --quiet "$csv" "$out"
  ratio "$best_wall" "$s1"
  measure "sluice convert, 1 worker, to disk ($work) | same, plus fsync of a file on disk" sluice $pin "$sluice" convert --workers 1 --quiet "$csv" "$work/out_sluice_disk.parquet"
  ratio "$best_wall" "$s1"
  rm -f "$work/out_sluice_disk.parquet"
  measure "sluice convert PQ→PQ, 1 worker | zstd Parquet decode + encode + zstd + write" sluice $pin "$sluice" convert --workers 1 --quiet "$pqz" "$outdir/out_sluice_pq.parquet"
  ratio "$best_wall" "$s1"
  measure "pyarrow write_table | write only (table in memory)" py $pin "$py" "$tools" pyarrow-write "$csv" "$outdir/out_pa.parquet"
  ratio "$best_op" "$s1"; pa_write=$best_op
  check_p=$("$py" "$tools" pyarrow-check "$outdir/out_pa.parquet"); sz_p=$(wc -c <"$outdir/out_pa.parquet")
  measure "polars write_parquet | write only (frame in memory)" py env POLARS_MAX_THREADS=1 $pin "$py" "$tools" polars-write "$csv" "$outdir/out_pl.parquet"
  ratio "$best_op" "$s1"
  sz_l=$(wc -c <"$outdir/out_pl.parquet")
  measure "pyarrow read_csv + write_table, 1 thread | end to end" py $pin "$py" "$tools" pyarrow-csv2pq "$csv" "$outdir/out_pa.parquet"
  ratio "$best_op" "$s1"
  measure "pyarrow read_csv + write_table, 2 threads | end to end" py env THREADS=2 "$py" "$tools" pyarrow-csv2pq "$csv" "$outdir/out_pa.parquet"
  ratio "$best_op" "$s1"
  echo
  echo "sluice output: $sz_s bytes, $check_s"
  echo "pyarrow output: $sz_p bytes, $check_p"
  echo "polars output: $sz_l bytes"
  printf 'sluice convert (CSV -> zstd Parquet, 1 worker, whole process) %.2f s vs pyarrow write_table alone %.2f s: %.2fx\n' \
    "$s1" "$pa_write" "$(echo "$pa_write / $s1" | bc -l)"
fi
rm -f "$outdir"/out_*.parquet
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
