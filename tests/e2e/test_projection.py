"""Columns nothing uses are not parsed: the plan says so, and the data is the same as reading all."""
import json

import duckdb

from conftest import write


def test_unused_columns_are_skipped_and_results_unchanged(work, sluice):
    sluice("generate", "telecom", "--rows", 100000, "--out", "t.csv")
    write(work / "p.yml", """
name: proj
source: {type: csv, paths: [t.csv], schema: {square_id: int32, time_interval: int64, country_code: int32,
  sms_in: float64, sms_out: float64, call_in: float64, call_out: float64, internet: float64}}
transforms:
  - filter: "country_code = 39"
  - derive: {net_mb: "internet / 1024", unused: "upper(concat(sms_in, 'x'))"}
  - select: [square_id, net_mb]
sink: {type: jsonl, path: out/p.jsonl}
""")
    v = sluice("validate", "p.yml")
    assert "columns read: square_id, country_code, internet" in v.stdout, v.stdout
    sluice("run", "p.yml")
    rows = [json.loads(l) for l in (work / "out/p.jsonl").read_text().splitlines()]
    want = duckdb.connect().execute(f"""SELECT count(*), sum(square_id), sum(internet / 1024), count(internet)
        FROM read_csv('{work}/t.csv', header=true) WHERE country_code = 39""").fetchone()
    assert len(rows) == want[0]
    assert sum(r["square_id"] for r in rows) == want[1]
    assert abs(sum(r["net_mb"] for r in rows if r["net_mb"] is not None) - want[2]) <= 1e-9 * want[2]
    assert sum(1 for r in rows if r["net_mb"] is not None) == want[3]
    assert set(rows[0]) == {"square_id", "net_mb"}


def test_inspect_and_cat_columns_read_only_those(work, sluice):
    write(work / "a.csv", "x,y,z\n1,\"multi\nline\",2.5\n2,b,\n3,c,4\n")
    r = sluice("inspect", "--stats", "--columns", "z", "a.csv")
    assert "rows: 3" in r.stdout
    stats = r.stdout.split("statistics:")[1]
    assert "z" in stats and " x " not in stats and "6.5" in stats
    r = sluice("cat", "--format", "csv", "--columns", "z,x", "a.csv")
    assert r.stdout == "z,x\n2.5,1\n,2\n4,3\n"
