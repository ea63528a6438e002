"""A new user's path: generate 1M telecom rows, run the example into SQLite, and check the table
against DuckDB reading the same CSV independently."""
import json
import shutil
import sqlite3
from pathlib import Path

import duckdb

from conftest import ROOT


def _setup(work, sluice, rows):
    shutil.copy(ROOT / "examples" / "telecom-to-sqlite.yml", work / "telecom.yml")
    sluice("generate", "telecom", "--rows", rows, "--out", "data/telecom/telecom.csv")
    return work / "data" / "telecom" / "telecom.csv"


def _duck(csv):
    con = duckdb.connect()
    return con.execute(f"""
        SELECT count(*), sum(internet), sum(sms_in), sum(call_out), count(internet), count(sms_out),
               sum(square_id), sum(country_code), min(time_interval), max(time_interval)
        FROM read_csv('{csv}', header=true, columns={{
            'square_id':'INTEGER','time_interval':'BIGINT','country_code':'INTEGER','sms_in':'DOUBLE',
            'sms_out':'DOUBLE','call_in':'DOUBLE','call_out':'DOUBLE','internet':'DOUBLE'}})
    """).fetchone()


def test_one_million_rows_match_duckdb(work, sluice):
    csv = _setup(work, sluice, 1_000_000)
    r = sluice("run", "telecom.yml")
    assert "completed: 1000000 rows written" in r.stderr, r.stderr
    db = sqlite3.connect(work / "out" / "telecom.sqlite")
    got = db.execute("""SELECT count(*), sum(internet), sum(sms_in), sum(call_out), count(internet), count(sms_out),
                               sum(square_id), sum(country_code), min(time_interval), max(time_interval)
                        FROM telecom""").fetchone()
    want = _duck(csv)
    assert got[0] == want[0] == 1_000_000
    for g, w in zip(got[1:4], want[1:4]):
        assert abs(g - w) <= 1e-9 * abs(w), (g, w)
    assert got[4:8] == want[4:8]
    # timestamps are stored as ISO-8601 text; the epoch-ms extremes must match
    first = duckdb.connect().execute(f"SELECT strftime(make_timestamp({want[8]} * 1000), '%Y-%m-%dT%H:%M:%SZ')").fetchone()[0]
    assert got[8] == first
    # the derived day column: UTC date of the epoch-ms timestamp
    days = dict(db.execute("SELECT day, count(*) FROM telecom GROUP BY day").fetchall())
    want_days = dict(duckdb.connect().execute(f"""SELECT strftime(CAST(make_timestamp(time_interval * 1000) AS DATE), '%Y-%m-%d'), count(*)
        FROM read_csv('{csv}', header=true) GROUP BY 1""").fetchall())
    assert days == want_days
    # the report is written and agrees
    reports = list((work / ".sluice" / "telecom" / "runs").glob("*/report.json"))
    assert len(reports) == 1
    rep = json.loads(reports[0].read_text())
    assert rep["rows_in"] == 1_000_000 and rep["rows_out"] == 1_000_000 and rep["rows_rejected"] == 0
    assert rep["status"] == "completed"
    assert 0.95 * csv.stat().st_size <= rep["bytes_read"] <= csv.stat().st_size
    # a second run finds everything committed and writes nothing
    r2 = sluice("run", "telecom.yml")
    assert "completed: 0 rows written" in r2.stderr, r2.stderr
    assert db.execute("SELECT count(*) FROM telecom").fetchone()[0] == 1_000_000
