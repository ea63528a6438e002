#!/usr/bin/env python3
"""CSV ingestion benchmark: Sluice against Polars, pyarrow, DuckDB, pandas and `wc -l`, back to back
on the same telecom CSV in page cache, on 1 and 2 cores (issue 3).

    .venv/bin/python bench/csv_bench.py                      # 20M rows (generated once, reused)
    .venv/bin/python bench/csv_bench.py --rows 1000000 --repeat 2 --markdown
    .venv/bin/python bench/csv_bench.py --file t20m.csv --cases full,projection

Cases (--cases, comma-separated; default all):
  full        every value of all 8 columns parsed, counted and summed:
              sluice inspect --stats | Polars read_csv(schema) + sums | pyarrow csv.read_csv(column
              types) + sums | DuckDB count + 8 sums over read_csv(columns=...) | pandas read_csv(dtype)
              + sums (pandas: 1 thread only)
  projection  count + sum(internet): sluice inspect --stats --columns internet | Polars scan_csv
              select(len, sum) | DuckDB SELECT count(*), sum(internet)
  wc          `wc -l FILE`, the floor of any scan (1 thread)
  convert     CSV -> CSV: sluice convert | DuckDB COPY (SELECT * FROM read_csv(..)) TO | Polars
              read_csv + write_csv
  memory      peak RSS of `sluice inspect --stats --rows 0 --workers 2` over FILE and over 10
              symlinks to FILE given as one glob (10x the rows)

Each case: the file is read once into the page cache, one untimed warm-up run, then the best of
--repeat timed runs. 1-thread runs are pinned to CPU 0 with `taskset -c 0`; Polars threads come
from POLARS_MAX_THREADS, pyarrow from set_cpu_count/set_io_thread_count, DuckDB from SET threads,
Sluice from --workers. Sluice is timed as a whole process (start-up included); the Python tools are
timed inside one process per (tool, case, threads) after their imports and the warm-up, so the
comparison is, if anything, in their favour. Peak RSS is the process's maximum resident set
(GNU time's %M), which for the Python tools includes the interpreter and the library.

Every tool must report the same row count (the file's newline count - 1) and the same sums
(floats within 1e-9 relative; integer sums modulo 2^64, since some tools wrap on overflow);
otherwise the script prints MISMATCH and exits with status 2.

Requirements: a venv with duckdb, pyarrow, polars and pandas:
    bash scripts/setup.sh --python && .venv/bin/pip install polars pandas
and a release build of sluice: swift build -c release --product sluice
"""
import argparse
import datetime
import gc
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INT_COLS = {"square_id": "int32", "time_interval": "int64", "country_code": "int32"}
FLOAT_COLS = ["sms_in", "sms_out", "call_in", "call_out", "internet"]
ALL_COLS = list(INT_COLS) + FLOAT_COLS
ALL_CASES = ["full", "projection", "wc", "convert", "memory"]
MEMORY_COPIES = 10
REL_TOL = 1e-9

DUCK_COLUMNS = ("{'square_id':'INTEGER','time_interval':'BIGINT','country_code':'INTEGER',"
                "'sms_in':'DOUBLE','sms_out':'DOUBLE','call_in':'DOUBLE','call_out':'DOUBLE',"
                "'internet':'DOUBLE'}")


def duck_source(path):
    return "read_csv('%s', header=true, delim=',', columns=%s)" % (str(path).replace("'", "''"), DUCK_COLUMNS)


# ============================================================== anchor worker (child process)
# `csv_bench.py --worker SPEC_JSON` runs one (tool, case, threads): imports, one warm-up, --repeat
# timed runs, and prints one JSON line with the times, per-run CPU and a result check.

def _machine_busy():
    """Busy CPU seconds of the whole machine so far (all processes), from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / os.sysconf("SC_CLK_TCK")
    except Exception:
        return float("nan")


def _self_cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _py(v):
    """numpy / Decimal scalars -> plain int or float (None stays None)."""
    if v is None:
        return None
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    return float(v)


def _worker_build(spec):
    tool, case, threads, path = spec["tool"], spec["case"], spec["threads"], spec["file"]
    out = spec.get("out")
    if tool == "polars":
        import polars as pl  # POLARS_MAX_THREADS is set by the parent
        schema = {c: (pl.Int32 if t == "int32" else pl.Int64) for c, t in INT_COLS.items()}
        schema.update({c: pl.Float64 for c in FLOAT_COLS})
        if case == "full":
            def run():
                df = pl.read_csv(path, schema=schema)
                return df.select([pl.len().alias("rows")]
                                 + [pl.col(c).cast(pl.Int64).sum().alias(c) for c in INT_COLS]
                                 + [pl.col(c).sum().alias(c) for c in FLOAT_COLS]).row(0, named=True)
            return run, lambda r: {"rows": r["rows"], "sums": {c: _py(r[c]) for c in ALL_COLS}}
        if case == "projection":
            def run():
                return (pl.scan_csv(path, schema=schema)
                        .select(pl.len().alias("rows"), pl.col("internet").sum().alias("internet"))
                        .collect().row(0, named=True))
            return run, lambda r: {"rows": r["rows"], "sums": {"internet": _py(r["internet"])}}
        if case == "convert":
            def run():
                pl.read_csv(path, schema=schema).write_csv(out)
            return run, lambda r: {}
    if tool == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv
        pa.set_cpu_count(threads)
        pa.set_io_thread_count(threads)
        types = {c: (pa.int32() if t == "int32" else pa.int64()) for c, t in INT_COLS.items()}
        types.update({c: pa.float64() for c in FLOAT_COLS})
        ro = pacsv.ReadOptions(use_threads=threads > 1)
        co = pacsv.ConvertOptions(column_types=types)
        if case == "full":
            def run():
                t = pacsv.read_csv(path, read_options=ro, convert_options=co)
                return t.num_rows, {c: pc.sum(t[c]).as_py() for c in ALL_COLS}
            return run, lambda r: {"rows": r[0], "sums": {c: _py(v) for c, v in r[1].items()}}
    if tool == "duckdb":
        import duckdb
        con = duckdb.connect()
        con.execute("SET threads=%d" % threads)
        src = duck_source(path)
        if case == "full":
            q = "SELECT count(*), %s FROM %s" % (", ".join("sum(%s)" % c for c in ALL_COLS), src)

            def run():
                return con.execute(q).fetchone()
            return run, lambda r: {"rows": r[0], "sums": {c: _py(v) for c, v in zip(ALL_COLS, r[1:])}}
        if case == "projection":
            q = "SELECT count(*), sum(internet) FROM " + src

            def run():
                return con.execute(q).fetchone()
            return run, lambda r: {"rows": r[0], "sums": {"internet": _py(r[1])}}
        if case == "convert":
            q = "COPY (SELECT * FROM %s) TO '%s' (HEADER, DELIMITER ',')" % (src, out.replace("'", "''"))

            def run():
                con.execute(q)
            return run, lambda r: {}
    if tool == "pandas":
        import pandas as pd
        dtypes = dict(INT_COLS)
        dtypes.update({c: "float64" for c in FLOAT_COLS})
        if case == "full":
            def run():
                df = pd.read_csv(path, dtype=dtypes)
                return len(df), {c: df[c].sum() for c in ALL_COLS}
            return run, lambda r: {"rows": r[0], "sums": {c: _py(v) for c, v in r[1].items()}}
    raise SystemExit("csv_bench: no anchor %s/%s" % (tool, case))


def worker_main(spec_json):
    spec = json.loads(spec_json)
    run, check = _worker_build(spec)
    check(run())  # untimed warm-up: lazy imports, thread pools, allocator
    times, cpus, others = [], [], []
    info = {}
    for i in range(spec["repeat"]):
        gc.collect()
        c0, m0 = _self_cpu(), _machine_busy()
        t0 = time.perf_counter()
        r = run()
        dt = time.perf_counter() - t0
        own = _self_cpu() - c0
        times.append(dt)
        cpus.append(own)
        others.append(max(0.0, _machine_busy() - m0 - own))
        if i == spec["repeat"] - 1:
            info = check(r)
        del r
    mod = {"polars": "polars", "pyarrow": "pyarrow", "duckdb": "duckdb", "pandas": "pandas"}[spec["tool"]]
    print(json.dumps({"times": times, "cpu": cpus, "others": others, "check": info,
                      "version": __import__(mod).__version__}))


# ============================================================== driver

class Fail(Exception):
    pass


TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run_measured(cmd, env=None, cwd=None):
    """Run cmd to completion; return (wall s, rc, stdout, stderr, peak RSS KB, CPU s, others' CPU s).

    The peak RSS comes from GNU time (`/usr/bin/time -f %M`): the wait4 rusage of a child that
    Python starts with vfork + exec also carries this (parent) process's peak RSS, so it is not the
    child's own figure."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(prefix="sluice-bench-rss-") as rssf:
        full = ([TIME, "-f", "%M", "-o", rssf.name] if TIME else []) + list(cmd)
        m0 = _machine_busy()
        t0 = time.perf_counter()
        p = subprocess.Popen(full, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=cwd)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        busy = _machine_busy() - m0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        cpu = ru.ru_utime + ru.ru_stime
        rss = ru.ru_maxrss
        if TIME:
            try:
                rss = int(Path(rssf.name).read_text().split()[-1])
            except (ValueError, IndexError):
                pass
        return (wall, p.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                rss, cpu, max(0.0, busy - cpu))


def pin(threads):
    return ["taskset", "-c", "0"] if threads == 1 and shutil.which("taskset") else []


def count_rows(path):
    """Data rows of a headered CSV without quoted newlines: newline count - 1 (also warms the cache)."""
    n = 0
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 24)
            if not b:
                break
            n += b.count(b"\n")
    return n - 1


def warm(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def parse_stats(text):
    """`sluice inspect --stats` output -> {"rows": N, "sums": {col: value}, "nulls": {...}}."""
    rows, sums, nulls, counts = None, {}, {}, {}
    lines = text.splitlines()
    for l in lines:
        if l.startswith("rows:"):
            rows = int(l.split(":", 1)[1].strip().replace(",", ""))
    if "statistics:" in lines:
        i = lines.index("statistics:") + 3  # skip the header and the dashes
        for l in lines[i:]:
            f = l.split()
            if len(f) < 4 or not f[2].isdigit():
                break
            counts[f[0]], nulls[f[0]] = int(f[2]), int(f[3])
            if len(f) >= 7:
                s = f[6]
                sums[f[0]] = int(s) if s.lstrip("-").isdigit() else float(s)
    if rows is None:
        raise Fail("could not read 'rows:' from sluice output:\n" + text)
    return {"rows": rows, "sums": sums, "nulls": nulls}


class Bench:
    def __init__(self, a):
        self.a = a
        self.results = []     # dicts: case, tool, threads, seconds, rss_kb, others, command, note
        self.mismatches = []
        self.versions = {}
        self.ref_sums = {}    # column -> (value, who)
        self.rows = None

    # ------------------------------------------------------------ checks
    def check(self, who, info, rows=None):
        want = self.rows if rows is None else rows
        if info.get("rows") != want:
            self.mismatch("%s: %s rows, expected %s" % (who, info.get("rows"), want))
        scale = 1 if rows is None else rows / self.rows
        for c, v in (info.get("sums") or {}).items():
            if v is None:
                continue
            if c not in self.ref_sums:
                if rows is None:
                    self.ref_sums[c] = (v, who)
                continue
            ref, rwho = self.ref_sums[c]
            if isinstance(ref, int) and isinstance(v, int):
                ok = (ref * round(scale)) % (1 << 64) == v % (1 << 64)
            elif isinstance(ref, int) != isinstance(v, int) and c in INT_COLS:
                continue  # one side overflowed to a float (sluice), the other wrapped: not comparable
            else:
                r = float(ref) * scale
                ok = abs(float(v) - r) <= REL_TOL * max(abs(r), 1e-300)
            if not ok:
                self.mismatch("%s: sum(%s) = %r, but %s gave %r%s" % (
                    who, c, v, rwho, ref, "" if scale == 1 else " (x%g expected)" % scale))

    def mismatch(self, msg):
        print("MISMATCH " + msg, file=sys.stderr, flush=True)
        self.mismatches.append(msg)

    def record(self, case, tool, threads, seconds, rss_kb, others, command, note="", rows=None):
        self.results.append(dict(case=case, tool=tool, threads=threads, seconds=seconds, rss_kb=rss_kb,
                                 others=others, command=command, note=note, rows=rows or self.rows))
        rs = (rows or self.rows) / seconds if seconds else 0
        print("  %-10s %-8s %d thr  %7.3f s  %7.2fM rows/s  %7.0f MB  %s" % (
            case, tool, threads, seconds, rs / 1e6, rss_kb / 1024, note), file=sys.stderr, flush=True)

    # ------------------------------------------------------------ runners
    def sluice(self, threads, args):
        """One untimed warm-up, then the best of --repeat runs of `sluice ARGS`."""
        cmd = pin(threads) + [self.a.sluice] + args
        self._sluice_once(cmd)
        best = None
        for _ in range(self.a.repeat):
            r = self._sluice_once(cmd)
            if best is None or r[0] < best[0]:
                best = r
        wall, _, out, _, rss, _, others = best
        return wall, rss, others, out

    def _sluice_once(self, cmd):
        r = run_measured(cmd)
        if r[1] != 0:
            raise Fail("%s exited %d\nstdout:\n%s\nstderr:\n%s" % (" ".join(cmd), r[1], r[2][-4000:], r[3][-4000:]))
        return r

    def anchor(self, tool, case, threads, out=None):
        spec = {"tool": tool, "case": case, "threads": threads, "file": str(self.file),
                "repeat": self.a.repeat, "out": out}
        env = dict(os.environ, POLARS_MAX_THREADS=str(threads))
        cmd = pin(threads) + [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)]
        wall, rc, stdout, stderr, rss, _, _ = run_measured(cmd, env=env)
        if rc != 0:
            raise Fail("%s %s (threads %d) failed (exit %d):\n%s" % (tool, case, threads, rc, stderr[-4000:]))
        r = json.loads(stdout.strip().splitlines()[-1])
        self.versions[tool] = r["version"]
        i = min(range(len(r["times"])), key=lambda k: r["times"][k])
        return r["times"][i], rss, r["others"][i], r["check"]

    # ------------------------------------------------------------ cases
    def case_full(self, threads):
        for t in threads:
            warm(self.file)
            args = ["inspect", "--stats", "--rows", "0", "--workers", str(t), str(self.file)]
            secs, rss, others, out = self.sluice(t, args)
            self.check("sluice full %dw" % t, parse_stats(out))
            self.record("full", "sluice", t, secs, rss, others, "sluice " + " ".join(args[:-1]) + " FILE")
            tools = ["polars", "pyarrow", "duckdb"] + (["pandas"] if t == 1 else [])
            cmds = {"polars": "pl.read_csv(FILE, schema=...) + len, sum x8",
                    "pyarrow": "pyarrow.csv.read_csv(FILE, column_types) + sum x8",
                    "duckdb": "SET threads=%d; SELECT count(*), sum(..) x8 FROM read_csv(FILE, columns={..})" % t,
                    "pandas": "pd.read_csv(FILE, dtype=...) + sum x8"}
            for tool in tools:
                secs, rss, others, info = self.anchor(tool, "full", t)
                self.check("%s full %dt" % (tool, t), info)
                self.record("full", tool, t, secs, rss, others, cmds[tool])

    def case_projection(self, threads):
        help_text = run_measured([self.a.sluice, "inspect", "--help"])[2]
        has_columns = "--columns" in help_text
        for t in threads:
            warm(self.file)
            args = ["inspect", "--stats", "--rows", "0", "--workers", str(t), "--columns", "internet", str(self.file)]
            if has_columns:
                secs, rss, others, out = self.sluice(t, args)
                self.check("sluice projection %dw" % t, parse_stats(out))
                self.record("projection", "sluice", t, secs, rss, others, "sluice " + " ".join(args[:-1]) + " FILE")
            else:
                print("  projection sluice %d thr: SKIPPED (this sluice has no `inspect --columns`)" % t,
                      file=sys.stderr)
                self.record("projection", "sluice", t, 0, 0, 0, "sluice " + " ".join(args[:-1]) + " FILE",
                            note="skipped: no `inspect --columns` in this build")
            for tool, cmd in (("polars", "pl.scan_csv(FILE, schema=...).select(pl.len(), pl.col('internet').sum())"),
                              ("duckdb", "SET threads=%d; SELECT count(*), sum(internet) FROM read_csv(FILE, columns={..})" % t)):
                secs, rss, others, info = self.anchor(tool, "projection", t)
                self.check("%s projection %dt" % (tool, t), info)
                self.record("projection", tool, t, secs, rss, others, cmd)

    def case_wc(self, threads):
        warm(self.file)
        cmd = pin(1) + ["wc", "-l", str(self.file)]
        run_measured(cmd)
        best = min((run_measured(cmd) for _ in range(self.a.repeat)), key=lambda r: r[0])
        self.check("wc -l", {"rows": int(best[2].split()[0]) - 1})
        self.record("wc", "wc -l", 1, best[0], best[4], best[6], "wc -l FILE")

    def case_convert(self, threads):
        d = Path(tempfile.mkdtemp(prefix="sluice-bench-convert-", dir=self.a.out_dir))
        try:
            for t in threads:
                out = d / "out.csv"
                warm(self.file)
                args = ["convert", "--quiet", "--workers", str(t), str(self.file), str(out)]
                secs, rss, others, _ = self.sluice(t, args)
                self.check("sluice convert %dw (output)" % t, {"rows": count_rows(out)})
                self.record("convert", "sluice", t, secs, rss, others, "sluice convert --workers %d FILE out.csv" % t)
                for p in d.iterdir():
                    p.unlink()
                for tool, cmd in (("duckdb", "SET threads=%d; COPY (SELECT * FROM read_csv(FILE, columns={..})) TO 'out.csv'" % t),
                                  ("polars", "pl.read_csv(FILE, schema=...).write_csv('out.csv')")):
                    secs, rss, others, _ = self.anchor(tool, "convert", t, out=str(out))
                    self.check("%s convert %dt (output)" % (tool, t), {"rows": count_rows(out)})
                    self.record("convert", tool, t, secs, rss, others, cmd)
                    for p in d.iterdir():
                        p.unlink()
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def case_memory(self, threads):
        d = Path(tempfile.mkdtemp(prefix="sluice-bench-glob-", dir=self.a.out_dir))
        try:
            for i in range(MEMORY_COPIES):
                (d / ("part%02d.csv" % i)).symlink_to(self.file.resolve())
            glob = str(d / "*.csv")
            warm(self.file)
            base = ["inspect", "--stats", "--rows", "0", "--workers", "2"]
            one = run_measured([self.a.sluice] + base + [str(self.file)])
            if one[1] != 0:
                raise Fail("sluice inspect failed:\n" + one[3])
            self.check("sluice memory 1 file", parse_stats(one[2]))
            many = run_measured([self.a.sluice] + base + [glob])
            how = "sluice inspect --stats --rows 0 --workers 2 'DIR/*.csv'"
            if many[1] != 0:
                # a build whose inspect takes one file: a pipeline over the glob that parses all 8
                # columns of every row and keeps none of them (no output to write or store)
                print("  memory: inspect took no glob (%s); using `sluice run` with a filter that drops "
                      "every row" % many[3].strip().splitlines()[-1:], file=sys.stderr)
                preds = " and ".join("%s < 0" % c for c in ALL_COLS)
                yml = d / "p.yml"
                how = "sluice run p.yml: source 'DIR/*.csv', workers 2, filter dropping every row, jsonl sink"

                def pipeline(paths):
                    yml.write_text("name: memory\nstate: none\nworkers: 2\nsource: {type: csv, paths: %s}\n"
                                   "transforms: [{filter: \"%s\"}]\nsink: {type: jsonl, path: %s}\n"
                                   % (json.dumps(paths), preds, json.dumps(str(d / "out.jsonl"))))
                    r = run_measured([self.a.sluice, "run", str(yml)])
                    if r[1] != 0:
                        raise Fail("sluice run failed:\n" + r[3])
                    m = re.search(r"(\d+) read", r[3])
                    return r, int(m.group(1)) if m else None
                one, n1 = pipeline([str(self.file)])
                many, n2 = pipeline([glob])
                self.check("sluice memory 1 file (run)", {"rows": n1})
                self.check("sluice memory %d files (run)" % MEMORY_COPIES, {"rows": n2}, rows=self.rows * MEMORY_COPIES)
            else:
                self.check("sluice memory %d files" % MEMORY_COPIES, parse_stats(many[2]), rows=self.rows * MEMORY_COPIES)
            self.memory = dict(one_kb=one[4], many_kb=many[4], one_s=one[0], many_s=many[0], how=how)
            print("  memory: %d rows %.0f MB (%.1f s), %d rows %.0f MB (%.1f s), ratio %.3f" % (
                self.rows, one[4] / 1024, one[0], self.rows * MEMORY_COPIES, many[4] / 1024, many[0],
                many[4] / one[4]), file=sys.stderr, flush=True)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    # ------------------------------------------------------------ output
    def find(self, case, tool, t):
        for r in self.results:
            if r["case"] == case and r["tool"] == tool and r["threads"] == t and r["seconds"]:
                return r
        return None

    def ratio(self, r, markdown=False):
        """Sluice speed / this tool's speed (same case, same threads); for sluice: scaling vs 1 worker."""
        if not r["seconds"]:
            return ""
        if r["tool"] == "sluice":
            one = self.find(r["case"], "sluice", 1)
            if r["threads"] > 1 and one:
                return "%.2fx its 1-worker speed" % ((one["seconds"] / one["rows"]) / (r["seconds"] / r["rows"]))
            return ""
        if r["case"] == "wc":
            s = self.find("projection", "sluice", 1) or self.find("full", "sluice", 1)
            return ("sluice %s 1w runs at %.2fx wc's speed" % (s["case"], r["seconds"] / s["seconds"])) if s else ""
        s = self.find(r["case"], "sluice", r["threads"])
        return ("**%.2fx**" if markdown else "%.2fx") % (r["seconds"] / s["seconds"]) if s else ""

    def table(self, markdown):
        head = ["case", "tool", "threads", "seconds", "rows/s", "sluice / tool", "peak RSS", "others' CPU", "command"]
        rows = []
        for r in self.results:
            busy = r["others"] / (r["seconds"] * (os.cpu_count() or 1)) if r["seconds"] else 0
            rows.append([r["case"], r["tool"], str(r["threads"]),
                         "%.3f" % r["seconds"] if r["seconds"] else "-",
                         "%.2fM" % (r["rows"] / r["seconds"] / 1e6) if r["seconds"] else r["note"],
                         self.ratio(r, markdown), "%.0f MB" % (r["rss_kb"] / 1024) if r["rss_kb"] else "-",
                         "%.0f%%" % (100 * busy) if r["seconds"] else "-", ("`%s`" if markdown else "%s") % r["command"]])
        if markdown:
            lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            lines += ["| " + " | ".join(x) + " |" for x in rows]
        else:
            w = [max(len(h), *(len(x[i]) for x in rows)) if rows else len(h) for i, h in enumerate(head)]
            fmt = "  ".join("%%-%ds" % n for n in w)
            lines = [fmt % tuple(head), fmt % tuple("-" * n for n in w)] + [fmt % tuple(x) for x in rows]
        return "\n".join(l.rstrip() for l in lines)

    def goals(self):
        g = []

        def speed(case, tool, t):
            r = self.find(case, tool, t)
            return r["rows"] / r["seconds"] if r else None
        s1, p1 = speed("full", "sluice", 1), speed("full", "polars", 1)
        if s1 and p1:
            g.append(("full parse, 1 worker >= 4x Polars read_csv", s1 / p1, 4.0))
        s2 = speed("full", "sluice", 2)
        if s1 and s2:
            g.append(("full parse, 2 workers >= 1.7x 1 worker", s2 / s1, 1.7))
        for t in self.a.threads:
            sp, pp = speed("projection", "sluice", t), speed("projection", "polars", t)
            if sp and pp:
                g.append(("projection count+sum(internet), %d thread(s) >= 1.5x Polars scan_csv" % t, sp / pp, 1.5))
        m = getattr(self, "memory", None)
        if m:
            g.append(("peak RSS %dx rows / 1x rows within 10%%" % MEMORY_COPIES, m["many_kb"] / m["one_kb"], None))
        out = []
        for name, v, need in g:
            if need is None:
                ok = abs(v - 1) <= 0.10
                out.append("- %s: %.3f (%s)" % (name, v, "met" if ok else "NOT met"))
            else:
                out.append("- %s: %.2fx (%s)" % (name, v, "met" if v >= need else "NOT met"))
        return "\n".join(out)


def machine():
    model = ""
    try:
        for l in open("/proc/cpuinfo"):
            if l.startswith("model name"):
                model = l.split(":", 1)[1].strip()
                break
    except Exception:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    return "%s, %d vCPUs, %.0f GiB RAM, Linux %s" % (model or platform.machine(), os.cpu_count() or 0, mem,
                                                     platform.release())


def check_deps(cases):
    import importlib.util
    need = set()
    if {"full", "projection", "convert"} & set(cases):
        need |= {"duckdb", "polars"}
    if "full" in cases:
        need |= {"pyarrow", "pandas"}
    missing = sorted(m for m in need if importlib.util.find_spec(m) is None)
    if missing:
        sys.exit("csv_bench: missing Python modules %s in %s.\n"
                 "Install them with:\n"
                 "    bash scripts/setup.sh --python\n"
                 "    .venv/bin/pip install polars pandas      # bench-only anchors\n"
                 "and run this script with .venv/bin/python." % (", ".join(missing), sys.executable))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        return worker_main(sys.argv[2])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="See the module docstring (head -45 bench/csv_bench.py) for what each case runs.")
    ap.add_argument("--file", help="telecom CSV to use (default: generate one with sluice, seed 42)")
    ap.add_argument("--rows", type=int, default=20_000_000, help="rows to generate when --file is not given (default 20M)")
    ap.add_argument("--data-dir", default="/tmp/sluice-bench",
                    help="where a generated file is kept and reused (default /tmp/sluice-bench)")
    ap.add_argument("--out-dir", default="/dev/shm" if os.path.isdir("/dev/shm") else None,
                    help="scratch folder for convert outputs and the glob of symlinks (default /dev/shm, "
                         "so that CSV -> CSV measures the tools, not the disk)")
    ap.add_argument("--sluice", default=str(ROOT / ".build" / "release" / "sluice"), help="sluice binary (release build)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per case, best is reported (default 3)")
    ap.add_argument("--threads", default="1 2", help='thread counts (default "1 2")')
    ap.add_argument("--cases", default=",".join(ALL_CASES), help="comma-separated subset of " + ",".join(ALL_CASES))
    ap.add_argument("--markdown", action="store_true", help="also print a table ready to paste into BENCHMARKS.md")
    a = ap.parse_args()
    a.threads = [int(x) for x in a.threads.replace(",", " ").split()]
    cases = [c.strip() for c in a.cases.split(",") if c.strip()]
    bad = [c for c in cases if c not in ALL_CASES]
    if bad:
        ap.error("unknown case(s) %s; choose from %s" % (", ".join(bad), ", ".join(ALL_CASES)))
    if not os.access(a.sluice, os.X_OK):
        sys.exit("csv_bench: no sluice binary at %s; build it with `swift build -c release --product sluice` "
                 "or pass --sluice PATH" % a.sluice)
    check_deps(cases)

    if a.file:
        path = Path(a.file)
    else:
        Path(a.data_dir).mkdir(parents=True, exist_ok=True)
        path = Path(a.data_dir) / ("telecom_%d_seed42.csv" % a.rows)
        mark = Path(str(path) + ".ok")
        if not (path.exists() and mark.exists() and mark.read_text() == "rows=%d seed=42\n" % a.rows):
            print("generating %s (%d rows, seed 42)" % (path, a.rows), file=sys.stderr, flush=True)
            mark.unlink(missing_ok=True)
            subprocess.run([a.sluice, "generate", "telecom", "--rows", str(a.rows), "--seed", "42", "--out", str(path)],
                           check=True, stdout=subprocess.DEVNULL)
            mark.write_text("rows=%d seed=42\n" % a.rows)
    b = Bench(a)
    b.file = path.resolve()
    b.rows = count_rows(b.file)
    size = b.file.stat().st_size
    sv = subprocess.run([a.sluice, "--version"], capture_output=True, text=True).stdout.strip()
    print("file %s: %d rows, %d bytes; sluice %s (%s); %s" % (b.file, b.rows, size, sv, a.sluice, machine()),
          file=sys.stderr, flush=True)

    started = datetime.datetime.now(datetime.timezone.utc)
    try:
        for c in ALL_CASES:  # fixed order: full first, so its sums are the reference
            if c in cases:
                getattr(b, "case_" + c)(a.threads)
    except Fail as e:
        sys.exit("csv_bench: FAILED: %s" % e)

    vers = ", ".join("%s %s" % kv for kv in sorted(b.versions.items()))
    cmdline = "bench/csv_bench.py " + " ".join(sys.argv[1:])
    print()
    print("CSV benchmark, %s UTC: %s, %d rows, %s bytes, in page cache; %s" % (
        started.strftime("%Y-%m-%d %H:%M"), b.file.name, b.rows, format(size, ","), machine()))
    print("sluice %s; %s; python %s. Best of %d after one warm-up; 1-thread runs pinned to CPU 0, so "
          "their rows/s is per core. 'sluice / tool' = sluice's speed over the tool's at the same thread count. "
          "'others' CPU' = share of the machine other processes used during the best run." % (
              sv, vers, platform.python_version(), a.repeat))
    print()
    print(b.table(markdown=False))
    m = getattr(b, "memory", None)
    if m:
        print()
        print("memory flatness (%s): %d rows %.1f MB peak RSS, %d rows %.1f MB peak RSS, ratio %.3f" % (
            m["how"], b.rows, m["one_kb"] / 1024, b.rows * MEMORY_COPIES, m["many_kb"] / 1024, m["many_kb"] / m["one_kb"]))
    g = b.goals()
    if g:
        print()
        print("issue 3 targets:")
        print(g)
    if a.markdown:
        print()
        print("Command: `.venv/bin/python %s`" % cmdline)
        print()
        print(b.table(markdown=True))
        if m:
            print()
            print("| input | rows | peak RSS |\n|---|---|---|\n| 1 file | %s | %.0f MB |\n| %d symlinks as one glob | %s | %.0f MB |"
                  % (format(b.rows, ","), m["one_kb"] / 1024, MEMORY_COPIES, format(b.rows * MEMORY_COPIES, ","), m["many_kb"] / 1024))
    if b.mismatches:
        print("\nMISMATCH: the tools disagree:\n  " + "\n  ".join(b.mismatches), file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
