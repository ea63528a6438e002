"""The `parquet` pipeline source and `sluice convert` with Parquet on either side: values equal
to pyarrow's, hive partition folders as typed columns, folder pruning and row-group skipping by
statistics (the report's planned splits), projection, and empty row groups."""
import datetime
import json

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from conftest import write

REGIONS = ["north", "south", "east west", "a/b"]


def sales(rows=40_000):
    base = datetime.date(2024, 1, 1)
    return pa.table({
        "id": pa.array(range(rows), pa.int64()),
        "amount": pa.array([None if i % 97 == 0 else (i * 37 % 1000) / 4 for i in range(rows)], pa.float64()),
        "sku": pa.array([f"sku-{i % 50:03d}" for i in range(rows)], pa.string()),
        "day": pa.array([base + datetime.timedelta(days=i * 365 // rows) for i in range(rows)], pa.date32()),
        "region": pa.array([REGIONS[i % 4] for i in range(rows)], pa.string()),
        "year": pa.array([2023 + i % 2 for i in range(rows)], pa.int32()),
    })


def last_report(work, name):
    reports = sorted((work / ".sluice" / name / "runs").glob("*/report.json"))
    return json.loads(reports[-1].read_text())


def test_hive_dataset_to_csv_with_partition_pruning_and_row_filter(work, sluice):
    t = sales()
    pq.write_to_dataset(t, str(work / "in"), partition_cols=["region", "year"], row_group_size=5000)
    write(work / "p.yml", """name: pq
source:
  type: parquet
  paths: [in]
  filter: "region = 'a/b' and amount > 100"
transforms:
  - filter: "year = 2024"
  - select: [id, amount, sku, day, region, year]
sink: { type: csv, path: out.csv }
""")
    sluice("run", "p.yml")
    got = duckdb.connect().execute(f"SELECT id, amount, sku, day, region, year FROM read_csv('{work}/out.csv') ORDER BY id").fetchall()
    want = t.filter(pc.and_(pc.and_(pc.equal(t["region"], "a/b"), pc.greater(t["amount"], 100)), pc.equal(t["year"], 2024)))
    want = want.sort_by("id").to_pylist()
    assert len(got) == len(want) > 0
    for g, w in zip(got, want):
        assert (g[0], g[1], g[2], g[3], g[4], g[5]) == (w["id"], w["amount"], w["sku"], w["day"], w["region"], w["year"])
    # Only the region=a%2Fb/year=2024 folder was opened: its row groups are all the splits.
    files = list((work / "in" / "region=a%2Fb" / "year=2024").glob("*.parquet"))
    groups = sum(pq.ParquetFile(f).metadata.num_row_groups for f in files)
    assert last_report(work, "pq")["splits_planned"] == groups


def test_row_groups_skipped_by_statistics(work, sluice):
    t = sales()  # `day` ascends, so every row group covers a narrow range of days
    pq.write_table(t, work / "sales.parquet", row_group_size=4000)
    write(work / "p.yml", """name: stats
source: { type: parquet, paths: [sales.parquet] }
transforms:
  - filter: "day >= '2024-11-01' and sku != 'none'"
sink: { type: csv, path: out.csv }
""")
    sluice("run", "p.yml")
    want = t.filter(pc.greater_equal(t["day"], pa.scalar(datetime.date(2024, 11, 1))))
    got = duckdb.connect().execute(f"SELECT count(*), sum(id) FROM read_csv('{work}/out.csv')").fetchone()
    assert got == (want.num_rows, pc.sum(want["id"]).as_py())
    meta = pq.ParquetFile(work / "sales.parquet").metadata
    need = sum(1 for g in range(meta.num_row_groups)
               if meta.row_group(g).column(3).statistics.max >= datetime.date(2024, 11, 1))
    assert last_report(work, "stats")["splits_planned"] == need < meta.num_row_groups


def test_convert_parquet_to_csv_and_back(work, sluice):
    t = sales(5000)
    pq.write_table(t, work / "s.parquet", row_group_size=1000)
    sluice("convert", "s.parquet", "s.csv")
    back = duckdb.connect().execute(f"SELECT * FROM read_csv('{work}/s.csv') ORDER BY id").fetchall()
    assert [r[0] for r in back] == list(range(5000))
    assert [r[1] for r in back] == t["amount"].to_pylist()
    assert [r[2] for r in back] == t["sku"].to_pylist()
    sluice("convert", "s.csv", "again.parquet", "--compression", "snappy")
    again = pq.read_table(work / "again.parquet")
    assert pq.ParquetFile(work / "again.parquet").metadata.row_group(0).column(0).compression == "SNAPPY"
    assert again.num_rows == 5000
    assert again["id"].to_pylist() == t["id"].to_pylist()
    assert again["amount"].to_pylist() == t["amount"].to_pylist()
    assert again["day"].to_pylist() == t["day"].to_pylist()
    assert not list(work.glob(".tmp-*"))


def test_convert_csv_to_partitioned_dataset_and_read_it_back(work, sluice):
    sluice("generate", "telecom", "--rows", 50_000, "--out", "t.csv")
    sluice("convert", "t.csv", "ds/", "--partition-by", "bucket=square_id % 4")
    d = ds.dataset(str(work / "ds"), format="parquet", partitioning="hive")
    assert d.count_rows() == 50_000
    sluice("convert", "ds", "back.csv")
    assert sorted(p.name for p in (work / "ds").iterdir() if p.is_dir() and not p.name.startswith("_")) == [
        "bucket=0", "bucket=1", "bucket=2", "bucket=3"]
    got = duckdb.connect().execute(f"""SELECT count(*), sum(internet), count(*) FILTER (WHERE square_id % 4 <> bucket)
                                       FROM read_csv('{work}/back.csv')""").fetchone()
    want = duckdb.connect().execute(f"SELECT count(*), sum(internet), 0 FROM read_csv('{work}/t.csv')").fetchone()
    assert got[0] == want[0] and got[2] == want[2]
    assert abs(got[1] - want[1]) <= 1e-9 * abs(want[1])


def test_empty_row_groups_and_projection(work, sluice):
    schema = pa.schema([("a", pa.int64()), ("s", pa.string()), ("big", pa.string())])
    with pq.ParquetWriter(work / "e.parquet", schema) as w:
        w.write_table(pa.table({"a": [1, 2], "s": ["x", None], "big": ["q", "r"]}, schema=schema))
        w.write_table(schema.empty_table())
        w.write_table(pa.table({"a": [3], "s": ["z"], "big": ["t"]}, schema=schema))
    write(work / "p.yml", """name: e
source: { type: parquet, paths: ["*.parquet"] }
transforms:
  - select: [a, s]
sink: { type: jsonl, path: out.jsonl }
""")
    sluice("run", "p.yml")
    rows = [json.loads(l) for l in (work / "out.jsonl").read_text().splitlines()]
    assert rows == [{"a": 1, "s": "x"}, {"a": 2, "s": None}, {"a": 3, "s": "z"}]


def test_many_files_read_with_a_few_readers_open(work, sluice):
    """Thirty files on two workers: readers are opened on demand and only a few kept (more files
    than are kept, so files are opened again), and every row of every file arrives once."""
    t = sales(30_000)
    (work / "many").mkdir()
    for k in range(30):
        pq.write_table(t.slice(k * 1000, 1000), work / "many" / f"part-{k:02d}.parquet", row_group_size=400)
    write(work / "m.yml", """name: many
source: {type: parquet, paths: ["many/*.parquet"]}
transforms:
  - aggregate: {group_by: [sku], compute: {n: "count(*)", ids: "sum(id)", amount: "sum(amount)"}}
sink: {type: csv, path: out.csv}
""")
    sluice("run", "m.yml", "--workers", 2)
    got = duckdb.connect().execute(f"SELECT sku, n, ids, amount FROM read_csv('{work}/out.csv') ORDER BY sku").fetchall()
    want = duckdb.connect().execute(f"""SELECT sku, count(*), sum(id), sum(amount) FROM read_parquet('{work}/many/*.parquet')
                                        GROUP BY sku ORDER BY sku""").fetchall()
    assert len(got) == len(want) == 50
    for g, w in zip(got, want):
        assert g[:3] == w[:3] and abs(g[3] - w[3]) <= 1e-9 * abs(w[3])
    assert sum(g[1] for g in got) == 30_000
    assert last_report(work, "many")["splits_planned"] == 30 * 3
