"""API collection end to end: `sluice serve-mock` on a free port, `sluice run` against it.

Short ranges at a high rate limit keep these to seconds; the 24-year measurement is in
BENCHMARKS.md with its command."""
import json
import signal
import sqlite3
import subprocess
import time

import pytest

from conftest import write


class Mock:
    def __init__(self, sluice, api, *args):
        self.log = sluice.cwd / f"{api}-requests.jsonl"
        self.proc = sluice.popen("serve-mock", api, "--port", 0, "--request-log", self.log, *args)
        line = self.proc.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), line + self.proc.stderr.read()
        self.port = int(line.split(":")[2].split(" ")[0])
        self.url = f"http://127.0.0.1:{self.port}"

    def requests(self):
        if not self.log.exists():
            return []
        return [json.loads(l) for l in self.log.read_text().splitlines() if l.strip()]

    def stats(self):
        import urllib.request
        with urllib.request.urlopen(self.url + "/__mock/stats") as r:
            return json.loads(r.read())

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def mocks(sluice):
    started = []

    def start(api, *args):
        m = Mock(sluice, api, *args)
        started.append(m)
        return m

    yield start
    for m in started:
        m.stop()


def eia_pipeline(work, name, url, db, start="2024-01-01", end="2024-02-29", window="7d", rate=200, extra=""):
    return write(work / f"{name}.yml", f"""
name: {name}
source:
  type: eia
  api_key: ${{EIA_API_KEY}}
  base_url: {url}
  route: electricity/rto/region-data
  facets: {{respondent: [PJM, MISO, ERCO], type: [D]}}
  start: {start}
  end: {end}
  window: {window}
  rate_limit: {{requests: {rate}, per: 1s}}
  concurrency: 3
  timeout: 1s
  retries: 12
{extra}workers: 3
sink:
  type: sqlite
  path: {db}
  table: demand
""")


def table(db, sql="SELECT period, respondent, type, value FROM demand ORDER BY period, respondent, type"):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


HOURS_JAN_FEB_2024 = (31 + 29) * 24
ENV = {"EIA_API_KEY": "e2e-secret-key"}


def test_eia_pull_loads_every_hour_of_every_region_once(work, sluice, mocks):
    m = mocks("eia")
    eia_pipeline(work, "eia", m.url, work / "eia.sqlite")
    r = sluice("run", "eia.yml", env=ENV)
    rows = table(work / "eia.sqlite")
    assert len(rows) == HOURS_JAN_FEB_2024 * 3
    assert len({(p, resp, t) for p, resp, t, _ in rows}) == len(rows)
    assert {resp for _, resp, _, _ in rows} == {"PJM", "MISO", "ERCO"}
    # values arrive as strings and are stored as numbers; a few hours are null, as in EIA
    values = [v for *_, v in rows]
    assert all(v is None or isinstance(v, float) for v in values)
    assert 0 < sum(v is None for v in values) < len(values) // 100
    reqs = m.requests()
    assert len(reqs) == 9  # 60 days in 7-day windows, one page each
    assert all(q["status"] == 200 for q in reqs)
    # the key never reaches the server's log, nor sluice's output
    assert "e2e-secret-key" not in m.log.read_text()
    assert "e2e-secret-key" not in r.stdout + r.stderr
    # EIA's end is inclusive: consecutive windows never ask for the same hour
    assert [(q["start"], q["end"]) for q in sorted(reqs, key=lambda q: q["start"])][:2] == [
        ("2024-01-01T00", "2024-01-07T23"), ("2024-01-08T00", "2024-01-14T23")]


def test_every_fault_kind_at_10_percent_gives_the_fault_free_dataset(work, sluice, mocks):
    clean = mocks("eia")
    # 240 six-hour windows: about 24 faults, every kind several times
    eia_pipeline(work, "clean", clean.url, work / "clean.sqlite", window="6h")
    sluice("run", "clean.yml", env=ENV)
    faulty = mocks("eia", "--fault-rate", "0.1", "--faults", "all", "--hang", "3", "--seed", "7")
    eia_pipeline(work, "faulty", faulty.url, work / "faulty.sqlite", window="6h")
    before = len(faulty.requests())
    r = sluice("run", "faulty.yml", env=ENV)
    assert table(work / "faulty.sqlite") == table(work / "clean.sqlite")
    # the run report counts the retries, by cause, as the emulator saw the faults
    report = json.loads(sorted((work / ".sluice" / "faulty" / "runs").glob("*/report.json"))[-1].read_text())
    faults = [q for q in faulty.requests() if q["fault"]]
    assert report["http"]["retries_total"] == len(faults) > 0, (report["http"], len(faults))
    assert report["http"]["requests"] == len(faulty.requests()) - before
    assert "http: " in r.stderr and "retries" in r.stderr, r.stderr
    assert len(table(work / "faulty.sqlite")) == HOURS_JAN_FEB_2024 * 3
    reqs = faulty.requests()
    kinds = {q["fault"] for q in reqs if q["fault"]}
    assert kinds == {"500", "503", "timeout", "reset", "truncated", "malformed"}, kinds
    # every window was eventually served whole
    windows = {q["start"] for q in reqs}
    served = {q["start"] for q in reqs if q["status"] == 200 and not q["fault"]}
    assert windows == served and len(windows) == 240


def test_kill_midway_then_rerun_fetches_only_missing_windows(work, sluice, mocks):
    m = mocks("eia")
    db = work / "resume.sqlite"
    # 60 one-day windows at 10 requests/s: about 6 s, time to kill it halfway
    eia_pipeline(work, "resume", m.url, db, window="1d", rate=10)
    p = subprocess.Popen([sluice.bin, "run", "resume.yml"], cwd=work, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, env={**__import__("os").environ, **ENV})
    deadline = time.time() + 60
    committed = 0
    while time.time() < deadline:
        try:
            committed = table(db, "SELECT count(*) FROM _sluice_splits")[0][0]
        except sqlite3.Error:
            committed = 0
        if committed >= 15:
            break
        assert p.poll() is None, p.stderr.read()
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL)
    p.wait()
    first = m.requests()
    # split ids end with the window, `2024-01-01T00:00:00Z/2024-01-02T00:00:00Z`
    done = {sid[-41:-28] for (sid,) in table(db, "SELECT split_id FROM _sluice_splits")}
    assert 15 <= len(done) < 60
    sluice("run", "resume.yml", env=ENV)
    second = m.requests()[len(first):]
    fetched_again = {q["start"] for q in second}
    everything = {q["start"] for q in first} | fetched_again
    assert len(everything) == 60
    # the second run asks for exactly the windows the first did not commit, once each
    assert fetched_again == everything - done
    assert len(second) == len(fetched_again)
    rows = table(db)
    assert len(rows) == HOURS_JAN_FEB_2024 * 3
    assert len(set(rows)) == len(rows)


def test_growing_the_range_fetches_only_the_new_stretch(work, sluice, mocks):
    m = mocks("eia")
    db = work / "grow.sqlite"
    # 2024-01-01 .. 2024-01-10 inclusive in 7-day windows: the second window is 3 days short
    eia_pipeline(work, "grow", m.url, db, end="2024-01-10")
    sluice("run", "grow.yml", env=ENV)
    first = m.requests()
    assert sorted((q["start"], q["end"]) for q in first) == [
        ("2024-01-01T00", "2024-01-07T23"), ("2024-01-08T00", "2024-01-10T23")]
    assert len(table(db)) == 10 * 24 * 3
    r = sluice("run", "grow.yml", "--until", "2024-02-29", env=ENV)
    second = m.requests()[len(first):]
    # the short window stays committed; new windows start where it ended, none is asked twice
    starts = sorted(q["start"] for q in second)
    assert starts[0] == "2024-01-11T00" and len(starts) == len(set(starts)) == 8, starts  # 50 days: 7 weeks and a day
    rows = table(db)
    assert len(rows) == HOURS_JAN_FEB_2024 * 3
    assert len({(p, resp, t) for p, resp, t, _ in rows}) == len(rows)
    # the same --until again: nothing left to fetch
    sluice("run", "grow.yml", "--until", "2024-02-29", env=ENV)
    assert len(m.requests()) == len(first) + len(second)
    # --since/--until are for API sources, and must make a range
    bad = sluice("run", "grow.yml", "--since", "2024-03-01", "--until", "2024-02-01", env=ENV, check=False)
    assert bad.returncode != 0 and "before it starts" in bad.stderr, bad.stderr


def test_end_now_with_a_lag_stops_at_the_last_whole_hour_less_the_lag(work, sluice, mocks):
    import datetime as dt
    m = mocks("eia")
    db = work / "now.sqlite"
    start = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=3)).strftime("%Y-%m-%d")
    eia_pipeline(work, "now", m.url, db, start=start, end="now", window="1d", extra="  lag: 1d\n")
    before = dt.datetime.now(dt.timezone.utc)
    sluice("run", "now.yml", env=ENV)
    after = dt.datetime.now(dt.timezone.utc)
    hours = {p for p, *_ in table(db)}
    last = max(hours)
    # every hour from the start up to (not including) the current hour less a day, once per region
    ends = {(t - dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0) for t in (before, after)}
    first = dt.datetime.strptime(start, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc)
    assert any(len(hours) == (e - first) // dt.timedelta(hours=1) for e in ends), (len(hours), ends)
    assert any(str(e - dt.timedelta(hours=1))[:13].replace(" ", "T") in str(last).replace(" ", "T") for e in ends), last
    assert len(table(db)) == len(hours) * 3
    # a second run within the same hour has nothing new to fetch
    n = len(m.requests())
    sluice("run", "now.yml", env=ENV)
    assert len(m.requests()) - n <= 1


def test_server_rate_limit_is_never_violated_at_the_configured_rate(work, sluice, mocks):
    m = mocks("eia", "--rate-limit", "20")
    eia_pipeline(work, "limited", m.url, work / "limited.sqlite", window="1d", rate=20)
    t0 = time.time()
    sluice("run", "limited.yml", env=ENV)
    elapsed = time.time() - t0
    assert m.stats()["violations"] == 0
    assert m.stats()["requests"] == 60
    assert elapsed >= 2.9  # 60 requests at 20/s cannot take less than ~3 s


def test_caiso_zipped_csv_pipeline(work, sluice, mocks):
    m = mocks("caiso")
    write(work / "caiso.yml", f"""
name: caiso
source:
  type: caiso
  base_url: {m.url}
  query: SLD_FCST
  market_run_id: ACTUAL
  start: 2023-03-01
  end: 2023-04-30
  window: 31d
  rate_limit: {{requests: 100, per: 1s}}
sink:
  type: sqlite
  path: caiso.sqlite
  table: load
""")
    sluice("run", "caiso.yml")
    rows = table(work / "caiso.sqlite", "SELECT intervalstarttime_gmt, tac_area_name, mw, opr_hr FROM load")
    assert len(rows) == 61 * 24 * 5
    assert len({(t, a) for t, a, _, _ in rows}) == len(rows)
    assert all(isinstance(mw, float) for _, _, mw, _ in rows)
    reqs = m.requests()
    assert len(reqs) == 2
    assert reqs[0]["startdatetime"].endswith("-0000")


def test_config_errors_name_file_line_and_key(work, sluice):
    write(work / "bad.yml", """
name: bad
source:
  type: eia
  route: electricity/rto/region-data
  start: 2024-01-01
  end: 2024-01-31
sink: {type: sqlite, path: x.sqlite, table: t}
""")
    r = sluice("validate", "bad.yml", check=False)
    assert r.returncode != 0
    assert "bad.yml:4:3: source: missing required key 'api_key'" in r.stderr, r.stderr
    write(work / "bad2.yml", """
name: bad2
source:
  type: caiso
  start: 2024-01-01
  end: 2024-03-31
  window: 60d
sink: {type: sqlite, path: x.sqlite, table: t}
""")
    r = sluice("validate", "bad2.yml", check=False)
    assert "bad2.yml:7:" in r.stderr and "31 days" in r.stderr, r.stderr


def test_generic_http_source_pages_by_offset_and_maps_fields(work, sluice, mocks):
    m = mocks("eia")
    write(work / "generic.yml", f"""
name: generic
source:
  type: http
  base_url: {m.url}
  path: /v2/electricity/rto/region-data/data/
  api_key: ${{EIA_API_KEY}}
  params:
    frequency: hourly
    "facets[respondent][]": [CISO, PACW]
    "facets[type][]": NG
  window_params: {{start: start, end: end, format: eia_hourly, inclusive_end: 1h}}
  pagination: {{type: offset, offset_param: offset, limit_param: length, page_size: 100, total: response.total}}
  format: json
  records: response.data
  fields:
    period: {{type: timestamp, format: eia_hourly}}
    region: {{path: respondent, type: dictionary}}
    mwh: {{path: value, type: float64}}
  key: [period, region]
  start: 2024-03-01
  end: 2024-03-10
  window: 5d
  rate_limit: 500/s
sink: {{type: sqlite, path: generic.sqlite, table: t}}
""")
    sluice("run", "generic.yml", env=ENV)
    rows = table(work / "generic.sqlite", "SELECT period, region, mwh FROM t")
    assert len(rows) == 10 * 24 * 2
    assert {r for _, r, _ in rows} == {"CISO", "PACW"}
    reqs = m.requests()
    # two windows (5 days and 5 days): 240 rows each in pages of 100
    assert sorted(int(q["offset"]) for q in reqs) == [0, 0, 100, 100, 200, 200]


def test_parquet_dataset_kill_rerun_is_complete_and_typed(work, sluice, mocks):
    """The Done-when checks on the hive-partitioned Parquet dataset: kill mid-way, re-run, only the
    missing windows are fetched, every row once, and pyarrow reads timestamps and doubles."""
    import os
    import pyarrow.dataset as ds
    import pyarrow as pa
    m = mocks("eia", "--rate-limit", "50")
    eia_pipeline(work, "pq", m.url, work / "unused.sqlite", window="1d", rate=10)
    text = (work / "pq.yml").read_text().split("sink:")[0] + """sink:
  type: parquet
  path: out/eia
  partition_by: [respondent, "year(period)", "month(period)"]
"""
    (work / "pq.yml").write_text(text)
    ledger = work / "out" / "eia" / "_sluice" / "ledger.sqlite"
    p = subprocess.Popen([sluice.bin, "run", "pq.yml"], cwd=work, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, env={**os.environ, **ENV})
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if ledger.exists() and table(ledger, "SELECT count(*) FROM _sluice_splits")[0][0] >= 15:
                break
        except sqlite3.Error:
            pass
        assert p.poll() is None, p.stderr.read()
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL)
    p.wait()
    first = m.requests()
    done = {sid[-41:-28] for (sid,) in table(ledger, "SELECT split_id FROM _sluice_splits")}
    assert 15 <= len(done) < 60
    sluice("run", "pq.yml", env=ENV)
    second = m.requests()[len(first):]
    fetched_again = {q["start"] for q in second}
    assert fetched_again == ({q["start"] for q in first} | fetched_again) - done
    assert len(second) == len(fetched_again)
    assert m.stats()["violations"] == 0

    t = ds.dataset(work / "out" / "eia", format="parquet", partitioning="hive").to_table()
    assert t.num_rows == HOURS_JAN_FEB_2024 * 3
    assert t.schema.field("period").type == pa.timestamp("us", tz="UTC")
    assert t.schema.field("value").type == pa.float64()
    keys = set(zip(t.column("period").to_pylist(), t.column("respondent").to_pylist(), t.column("type").to_pylist()))
    assert len(keys) == t.num_rows
    assert sorted({str(r) for r in t.column("respondent").to_pylist()}) == ["ERCO", "MISO", "PJM"]
