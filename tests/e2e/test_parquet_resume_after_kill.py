"""Kill a run writing a partitioned Parquet dataset with SIGKILL halfway, run it again: pyarrow
reads every source row exactly once, and what was visible after the kill was whole files only."""
import signal
import sqlite3
import time

import duckdb
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from conftest import TELECOM_SCHEMA, write

PIPELINE = """name: telecom
source:
  type: csv
  paths: ["data/telecom.csv"]
  header: true
  split_size: 1MB
""" + TELECOM_SCHEMA + """transforms:
  - derive: { day: "date(time_interval)" }
sink:
  type: parquet
  path: out/telecom
  partition_by: [day]
  compression: zstd
workers: 2
"""


def ledger(dataset):
    try:
        con = sqlite3.connect(f"file:{dataset}/_sluice/ledger.sqlite?mode=ro", uri=True, timeout=1)
        try:
            rows = con.execute("SELECT coalesce(sum(rows), 0) FROM _sluice_splits").fetchone()[0]
            files = {r[0] for r in con.execute("SELECT path FROM _sluice_files")}
            return rows, files
        finally:
            con.close()
    except sqlite3.Error:
        return 0, set()


def test_sigkill_midway_then_rerun_writes_each_row_once(work, sluice):
    write(work / "telecom.yml", PIPELINE)
    sluice("generate", "telecom", "--rows", 1_500_000, "--out", "data/telecom.csv")
    out = work / "out" / "telecom"
    total = duckdb.connect().execute(f"SELECT count(*) FROM read_csv('{work}/data/telecom.csv', header=true)").fetchone()[0]

    p = sluice.popen("run", "telecom.yml")
    deadline = time.time() + 300
    while time.time() < deadline:
        if ledger(out)[0] >= 300_000:
            break
        if p.poll() is not None:
            raise AssertionError("run finished before it could be killed: " + p.stderr.read())
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL)
    p.wait()

    committed_rows, committed_files = ledger(out)
    assert 0 < committed_rows < total, (committed_rows, total)
    visible = {str(f.relative_to(out)) for f in out.rglob("*.parquet") if not f.name.startswith(".")}
    # Every recorded file is in place and whole; a file not recorded can only be one renamed just
    # before the kill (its split is redone and the file replaced); no temporary file is visible.
    assert committed_files <= visible
    for f in visible:
        pq.ParquetFile(out / f).metadata  # a complete footer
    strays = {f.rsplit("/", 1)[-1].rsplit("-", 1)[0] for f in visible - committed_files}
    assert len(strays) <= 1, strays  # at most one split's files
    assert sum(pq.ParquetFile(out / f).metadata.num_rows for f in committed_files) == committed_rows

    r = sluice("run", "telecom.yml")
    assert "skipped" in r.stderr, r.stderr
    assert not list(out.rglob(".tmp-*"))
    got = duckdb.connect().execute(f"""
        SELECT count(*), count(DISTINCT (square_id, time_interval, country_code)), sum(internet)
        FROM read_parquet('{out}/**/*.parquet', hive_partitioning=true)""").fetchone()
    want = duckdb.connect().execute(f"""
        SELECT count(*), count(DISTINCT (square_id, time_interval, country_code)), sum(internet)
        FROM read_csv('{work}/data/telecom.csv', header=true)""").fetchone()
    assert got[0] == want[0] == total
    assert got[1] == want[1] == total  # no duplicates
    assert abs(got[2] - want[2]) <= 1e-9 * abs(want[2])
    assert ds.dataset(str(out), format="parquet", partitioning="hive").count_rows() == total
    assert ledger(out)[0] == total
