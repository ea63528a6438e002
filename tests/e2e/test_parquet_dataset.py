"""The `parquet` dataset sink: hive-partitioned folders read back by pyarrow.dataset and DuckDB
with the values written, file rolling, escaping of partition values, expression partitions,
re-runs that skip committed splits, full refresh, and cleanup of what a crash leaves behind."""
import datetime
import sqlite3

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from conftest import TELECOM_SCHEMA, write


def telecom_pipeline(work, sink, transforms="", extra=""):
    text = f"""name: telecom
source:
  type: csv
  paths: ["data/telecom.csv"]
  header: true
  split_size: 1MB
{TELECOM_SCHEMA}{transforms}sink:
{sink}{extra}"""
    write(work / "telecom.yml", text)


def hive(path):
    return ds.dataset(str(path), format="parquet", partitioning="hive")


def ledger_rows(dataset):
    con = sqlite3.connect(dataset / "_sluice" / "ledger.sqlite")
    try:
        return con.execute("SELECT count(*), coalesce(sum(rows), 0) FROM _sluice_splits").fetchone()
    finally:
        con.close()


def test_day_partitions_with_file_rolling_read_back_by_pyarrow_and_duckdb(work, sluice):
    sluice("generate", "telecom", "--rows", 120_000, "--out", "data/telecom.csv")
    telecom_pipeline(work, """  type: parquet
  path: out/telecom
  partition_by: [day]
  compression: snappy
  row_group_rows: 10000
  max_file_rows: 25000
""", transforms="""transforms:
  - derive: { day: "date(time_interval)" }
""")
    r = sluice("run", "telecom.yml")
    assert "120000 rows written" in r.stderr.replace(",", ""), r.stderr
    out = work / "out" / "telecom"
    folders = sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith("_"))
    assert folders and all(f.startswith("day=20") for f in folders), folders
    files = list(out.rglob("*.parquet"))
    assert not list(out.rglob(".tmp-*")), "temporary files left behind"
    for f in files:
        meta = pq.ParquetFile(f).metadata
        assert meta.num_rows <= 25_000
        assert meta.row_group(0).column(0).compression == "SNAPPY"
        assert "day" not in pq.ParquetFile(f).schema_arrow.names  # the folder holds it
    table = hive(out).to_table()
    assert table.num_rows == 120_000
    want = duckdb.connect().execute(f"""
        SELECT count(*), sum(internet), count(DISTINCT square_id), min(time_interval), max(time_interval)
        FROM read_csv('{work}/data/telecom.csv', header=true)""").fetchone()
    got = duckdb.connect().execute(f"""
        SELECT count(*), sum(internet), count(DISTINCT square_id), epoch_ms(min(time_interval)), epoch_ms(max(time_interval))
        FROM read_parquet('{out}/**/*.parquet', hive_partitioning=true)""").fetchone()
    assert got[0] == want[0] and got[2] == want[2] and got[3:] == want[3:]
    assert abs(got[1] - want[1]) <= 1e-9 * abs(want[1])
    # Every row sits in the folder of its own day.
    per_day = duckdb.connect().execute(f"""
        SELECT count(*) FILTER (WHERE CAST(time_interval AS DATE) <> CAST(day AS DATE))
        FROM read_parquet('{out}/**/*.parquet', hive_partitioning=true)""").fetchone()[0]
    assert per_day == 0
    assert ledger_rows(out)[1] == 120_000


def test_partition_values_are_escaped_so_pyarrow_reads_them_back(work, sluice):
    values = ["plain", "a/b", "x=y", "100%", "sp ace", "é ü", "q?#&", "", None, "dots.and-dash_~"]
    rows = ["k,v"] + [f'"{v}",{i}' if v is not None else f",{i}" for i, v in enumerate(values)]
    write(work / "in.csv", "\n".join(rows) + "\n")
    write(work / "p.yml", """name: esc
source: { type: csv, paths: [in.csv], header: true, null_values: ["NULL"], schema: { k: string, v: int64 } }
sink: { type: parquet, path: out/esc, partition_by: [k] }
""")
    sluice("run", "p.yml")
    t = hive(work / "out" / "esc").to_table().to_pylist()
    got = {r["v"]: r["k"] for r in t}
    assert len(got) == len(values)
    for i, v in enumerate(values):
        # Hive keeps null and the empty string in one default folder, read back as null.
        assert got[i] == (v if v else None), (i, v, got[i])


def test_expression_partitions_year_and_month(work, sluice):
    lines = ["id,ts"]
    start = datetime.datetime(2023, 11, 28)
    for i in range(2000):
        lines.append(f"{i},{(start + datetime.timedelta(hours=i)).isoformat()}")
    write(work / "in.csv", "\n".join(lines) + "\n")
    write(work / "p.yml", """name: ym
source: { type: csv, paths: [in.csv], header: true, schema: { id: int64, ts: timestamp } }
sink:
  type: parquet
  path: out/ym
  partition_by: ["year(ts)", {mo: "month(ts)"}]
""")
    sluice("run", "p.yml")
    out = work / "out" / "ym"
    assert (out / "year=2023" / "mo=11").is_dir() and (out / "year=2024" / "mo=2").is_dir()
    t = hive(out).to_table()
    assert t.schema.field("year").type == pa.int32()
    rows = t.to_pylist()
    assert len(rows) == 2000
    for r in rows:
        ts = start + datetime.timedelta(hours=r["id"])
        assert (r["year"], r["mo"]) == (ts.year, ts.month)
        assert r["ts"].replace(tzinfo=None) == ts


def test_rerun_skips_committed_splits_and_full_refresh_rewrites(work, sluice):
    sluice("generate", "telecom", "--rows", 60_000, "--out", "data/telecom.csv")
    telecom_pipeline(work, "  type: parquet\n  path: out/t\n")
    sluice("run", "telecom.yml")
    out = work / "out" / "t"
    first = sorted(p.name for p in out.glob("*.parquet"))
    r = sluice("run", "telecom.yml")
    assert "skipped" in r.stderr, r.stderr
    assert sorted(p.name for p in out.glob("*.parquet")) == first
    assert hive(out).count_rows() == 60_000
    sluice("run", "telecom.yml", "--full-refresh")
    assert hive(out).count_rows() == 60_000
    assert ledger_rows(out)[1] == 60_000


def test_leftovers_of_a_crash_are_removed_and_other_files_kept(work, sluice):
    sluice("generate", "telecom", "--rows", 30_000, "--out", "data/telecom.csv")
    telecom_pipeline(work, "  type: parquet\n  path: out/t\n")
    out = work / "out" / "t"
    out.mkdir(parents=True)
    # What a kill leaves: a temporary file, and a file renamed into place but never recorded.
    pq.write_table(pa.table({"x": [1]}), out / "part-telecom-00000001-0000.parquet")
    (out / ".tmp-part-telecom-00000002-0000.parquet").write_bytes(b"PAR1 partial")
    (out / "README.txt").write_text("not ours")
    sluice("run", "telecom.yml")
    assert (out / "README.txt").read_text() == "not ours"
    assert not list(out.glob(".tmp-*"))
    (out / "README.txt").unlink()
    t = hive(out).to_table()
    assert t.num_rows == 30_000 and "x" not in t.schema.names


def test_aggregating_pipeline_replaces_its_output_each_run(work, sluice):
    write(work / "in.csv", "g,v\na,1\nb,2\na,3\n")
    write(work / "p.yml", """name: agg
source: { type: csv, paths: [in.csv], header: true, schema: { g: string, v: int64 } }
transforms:
  - aggregate: { group_by: [g], compute: { total: "sum(v)" } }
sink: { type: parquet, path: out/agg, partition_by: [g] }
""")
    sluice("run", "p.yml")
    write(work / "in.csv", "g,v\na,1\nc,2\na,3\n")
    sluice("run", "p.yml")
    rows = sorted((r["g"], r["total"]) for r in hive(work / "out" / "agg").to_table().to_pylist())
    assert rows == [("a", 4), ("c", 2)]


def test_bad_partition_column_is_a_located_config_error(work, sluice):
    write(work / "in.csv", "a,b\n1,2\n")
    write(work / "p.yml", """name: bad
source: { type: csv, paths: [in.csv], header: true }
sink:
  type: parquet
  path: out/x
  partition_by: [c]
""")
    r = sluice("validate", "p.yml", check=False)
    assert r.returncode != 0
    assert "p.yml:6" in r.stderr and "unknown column 'c'" in r.stderr, r.stderr
