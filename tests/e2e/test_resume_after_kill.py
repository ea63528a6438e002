"""Kill a run with SIGKILL halfway, run it again: every row exactly once."""
import shutil
import signal
import sqlite3
import time

import duckdb

from conftest import ROOT


def _committed(db_path):
    try:
        con = sqlite3.connect(db_path, timeout=1)
        n = con.execute("SELECT count(*), coalesce(sum(rows), 0) FROM _sluice_splits").fetchone()
        con.close()
        return n
    except sqlite3.Error:
        return (0, 0)


def test_sigkill_midway_then_rerun_loads_each_row_once(work, sluice):
    text = (ROOT / "examples" / "telecom-to-sqlite.yml").read_text()
    # small splits so the kill lands between many commits
    text = text.replace("  header: true\n", "  header: true\n  split_size: 1MB\n")
    (work / "telecom.yml").write_text(text + "workers: 2\n")
    sluice("generate", "telecom", "--rows", 1_500_000, "--out", "data/telecom/telecom.csv")
    db = work / "out" / "telecom.sqlite"

    p = sluice.popen("run", "telecom.yml")
    deadline = time.time() + 300
    while time.time() < deadline:
        splits, rows = _committed(db)
        if rows >= 300_000:
            break
        if p.poll() is not None:
            raise AssertionError("run finished before it could be killed: " + p.stderr.read())
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL)
    p.wait()
    splits_before, rows_before = _committed(db)
    total = duckdb.connect().execute(f"SELECT count(*) FROM read_csv('{work}/data/telecom/telecom.csv', header=true)").fetchone()[0]
    assert 0 < rows_before < total, (rows_before, total)
    con = sqlite3.connect(db)
    # what is in the table is exactly what the ledger says was committed
    assert con.execute("SELECT count(*) FROM telecom").fetchone()[0] == rows_before

    r = sluice("run", "telecom.yml")
    assert "skipped (already committed)" in r.stderr, r.stderr
    got = con.execute("SELECT count(*), count(DISTINCT square_id || '/' || time_interval || '/' || country_code), sum(internet) FROM telecom").fetchone()
    want = duckdb.connect().execute(f"""SELECT count(*), count(DISTINCT (square_id, time_interval, country_code)), sum(internet)
                          FROM read_csv('{work}/data/telecom/telecom.csv', header=true)""").fetchone()
    assert got[0] == want[0] == total
    assert got[1] == want[1] == total  # no duplicates
    assert abs(got[2] - want[2]) <= 1e-9 * want[2]


def test_sigterm_stops_cleanly_and_resume_completes(work, sluice):
    text = (ROOT / "examples" / "telecom-to-sqlite.yml").read_text()
    text = text.replace("  header: true\n", "  header: true\n  split_size: 1MB\n")
    (work / "telecom.yml").write_text(text + "workers: 2\n")
    sluice("generate", "telecom", "--rows", 1_000_000, "--out", "data/telecom/telecom.csv")
    db = work / "out" / "telecom.sqlite"
    p = sluice.popen("run", "telecom.yml")
    deadline = time.time() + 300
    while _committed(db)[1] < 100_000 and time.time() < deadline:
        assert p.poll() is None, p.stderr.read()
        time.sleep(0.05)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, (p.returncode, err)
    assert "cancelled:" in err, err
    splits, rows = _committed(db)
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM telecom").fetchone()[0] == rows > 0
    import json
    reports = sorted((work / ".sluice" / "telecom" / "runs").glob("*/report.json"))
    assert json.loads(reports[-1].read_text())["status"] == "cancelled"
    r = sluice("run", "telecom.yml")
    assert con.execute("SELECT count(*) FROM telecom").fetchone()[0] == 1_000_000
    assert f"{1_000_000 - rows} rows written" in r.stderr, r.stderr
