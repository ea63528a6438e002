"""The postgres sink against a real throwaway cluster: COPY loads that match DuckDB over the same
CSV, upsert / insert_ignore / replace semantics, exactly-once under kill -9 and dropped
connections, located config errors, and a password that never shows up anywhere."""
import json
import os
import shutil
import signal
import subprocess
import time

import duckdb
import pytest

from conftest import ROOT, write

TELECOM_COLUMNS = """{'square_id':'INTEGER','time_interval':'BIGINT','country_code':'INTEGER','sms_in':'DOUBLE',
    'sms_out':'DOUBLE','call_in':'DOUBLE','call_out':'DOUBLE','internet':'DOUBLE'}"""


def psql(url, sql, stdin=None, check=True):
    p = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atc", sql], input=stdin,
                       capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"psql failed: {sql}\n{p.stderr}")
    return p.stdout.strip()


def rows(url, sql):
    out = psql(url, sql)
    return [line.split("|") for line in out.splitlines()] if out else []


def telecom_pipeline(work, name, table, extra_source="", extra="", extra_sink=""):
    text = (ROOT / "examples" / "telecom-to-postgres.yml").read_text()
    text = text.replace("name: telecom-pg", f"name: {name}").replace("table: public.telecom", f"table: {table}")
    text = text.replace("  create: true", extra_sink + "  create: true")
    text = text.replace("  header: true\n", "  header: true\n" + extra_source)
    (work / "telecom.yml").write_text(text + extra)
    return work / "telecom.yml"


def duck_telecom(csv):
    return duckdb.connect().execute(f"""
        SELECT count(*), sum(internet), sum(sms_in), sum(call_out), count(internet), count(sms_out),
               count(sms_in), count(call_in), count(call_out), sum(square_id), sum(country_code),
               min(time_interval), max(time_interval)
        FROM read_csv('{csv}', header=true, columns={TELECOM_COLUMNS})""").fetchone()


def ledger(url, pipeline):
    n, total = rows(url, f"SELECT count(*), coalesce(sum(rows), 0) FROM sluice_ledger WHERE pipeline = '{pipeline}'")[0]
    return int(n), int(total)


def assert_loaded_once(url, table, pipeline, csv, n):
    """`table` holds the CSV's n rows exactly once (count, distinct keys, and sum(internet) as
    DuckDB reads the file), and the ledger of `pipeline` counts n rows."""
    want = duck_telecom(csv)
    got = rows(url, f"""SELECT count(*), count(DISTINCT (square_id, time_interval, country_code)), sum(internet)
                        FROM {table}""")[0]
    assert int(got[0]) == int(got[1]) == want[0] == n
    assert abs(float(got[2]) - want[1]) <= 1e-9 * want[1]
    assert ledger(url, pipeline)[1] == n


@pytest.mark.parametrize("fmt", ["text", "binary"])
def test_telecom_million_rows_match_duckdb(work, sluice, postgres, fmt):
    # text also covers one connection (commits awaited in place), binary the default two
    one = "  connections: 1\n" if fmt == "text" else ""
    telecom_pipeline(work, f"pg-telecom-{fmt}", f"public.telecom_1m_{fmt}", extra_sink=f"  copy_format: {fmt}\n" + one)
    sluice("generate", "telecom", "--rows", 1_000_000, "--out", "data/telecom/telecom.csv")
    csv = work / "data" / "telecom" / "telecom.csv"
    r = sluice("run", "telecom.yml", env={"DATABASE_URL": postgres})
    assert "completed: 1000000 rows written" in r.stderr, r.stderr
    got = rows(postgres, f"""SELECT count(*), sum(internet), sum(sms_in), sum(call_out), count(internet), count(sms_out),
                                   count(sms_in), count(call_in), count(call_out), sum(square_id), sum(country_code),
                                   (extract(epoch FROM min(time_interval)) * 1000)::bigint,
                                   (extract(epoch FROM max(time_interval)) * 1000)::bigint
                            FROM telecom_1m_{fmt}""")[0]
    want = duck_telecom(csv)
    assert int(got[0]) == want[0] == 1_000_000
    for g, w in zip(got[1:4], want[1:4]):
        assert abs(float(g) - w) <= 1e-9 * abs(w), (g, w)
    # null counts (count(col) per measure), integer sums and the timestamp range are exact
    assert [int(x) for x in got[4:13]] == list(want[4:13])
    # the derived day column is the UTC date of the epoch-ms timestamp
    days = dict((d, int(n)) for d, n in rows(postgres, f"SELECT day::text, count(*) FROM telecom_1m_{fmt} GROUP BY 1"))
    want_days = dict(duckdb.connect().execute(f"""SELECT strftime(CAST(make_timestamp(time_interval * 1000) AS DATE), '%Y-%m-%d'), count(*)
        FROM read_csv('{csv}', header=true, columns={TELECOM_COLUMNS}) GROUP BY 1""").fetchall())
    assert days == want_days
    # the table was created from the output schema
    types = dict(rows(postgres, f"""SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
                                   WHERE attrelid = 'telecom_1m_{fmt}'::regclass AND attnum > 0"""))
    assert types == {"square_id": "integer", "time_interval": "timestamp with time zone", "country_code": "integer",
                     "sms_in": "double precision", "sms_out": "double precision", "call_in": "double precision",
                     "call_out": "double precision", "internet": "double precision", "day": "date"}
    # every split is in the ledger with its rows; a second run writes nothing
    assert ledger(postgres, f"pg-telecom-{fmt}")[1] == 1_000_000
    r2 = sluice("run", "telecom.yml", env={"DATABASE_URL": postgres})
    assert "completed: 0 rows written" in r2.stderr, r2.stderr
    assert psql(postgres, f"SELECT count(*) FROM telecom_1m_{fmt}") == "1000000"
    rep = json.loads(sorted((work / ".sluice" / f"pg-telecom-{fmt}" / "runs").glob("*/report.json"))[0].read_text())
    assert rep["rows_out"] == 1_000_000 and rep["status"] == "completed"


KEYED = """name: {name}
source:
  type: csv
  paths: ["in/*.csv"]
  schema: {{id: int64, v: string, n: float64}}
sink:
  type: postgres
  url: ${{DATABASE_URL}}
  table: {table}
  mode: {mode}
  key: [id]
"""


def _keyed_files(work):
    a = [(i, f"a{i}", i * 0.5) for i in range(1, 1001)]
    a.insert(20, (10, "a10-late", 1.25))  # a duplicate key inside one file (and one split)
    b = [(i, f"b{i}\tx", i * 2.0) for i in range(501, 1501)]  # overlaps ids 501..1000; tab needs escaping
    return a, b


def _csv(rows_):
    return "id,v,n\n" + "".join(f'{i},"{v}",{n}\n' for i, v, n in rows_)


@pytest.mark.parametrize("mode,fmt", [("upsert", "auto"), ("insert_ignore", "auto"), ("upsert", "text"), ("insert_ignore", "text")])
def test_keyed_modes_dedup_within_and_across_runs(work, sluice, postgres, mode, fmt):
    table = f"events_{mode}_{fmt}"
    a, b = _keyed_files(work)
    write(work / "p.yml", KEYED.format(name=f"pg-{mode}-{fmt}", table=table, mode=mode) + f"  copy_format: {fmt}\n")
    write(work / "in" / "a.csv", _csv(a))
    env = {"DATABASE_URL": postgres}
    sluice("run", "p.yml", env=env)
    write(work / "in" / "b.csv", _csv(b))
    r = sluice("run", "p.yml", env=env)
    assert "1000 rows written" in r.stderr, r.stderr
    # the expected table, computed independently: upsert keeps the last row per key, insert_ignore the first
    want = {}
    for i, v, n in a + b:
        if mode == "upsert" or i not in want:
            want[i] = (v, n)
    got = {int(i): (v, float(n)) for i, v, n in
           (line.split("|") for line in psql(postgres, f"SELECT id, replace(v, E'\\t', '<TAB>'), n FROM {table}").splitlines())}
    got = {i: (v.replace("<TAB>", "\t"), n) for i, (v, n) in got.items()}
    assert len(got) == 1500 == int(psql(postgres, f"SELECT count(DISTINCT id) FROM {table}"))
    assert got == want
    if mode == "upsert":
        assert got[10] == ("a10-late", 1.25)  # the later duplicate in a.csv won
        assert got[700] == ("b700\tx", 1400.0)  # exactly the overlapping ids were updated
        assert got[400] == ("a400", 200.0)
    else:
        assert got[10] == ("a10", 5.0)  # the first duplicate in a.csv was kept
        assert got[700] == ("a700", 350.0)
    pk = psql(postgres, f"""SELECT string_agg(a.attname, ',') FROM pg_index i JOIN pg_attribute a
                            ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                            WHERE i.indrelid = '{table}'::regclass AND i.indisprimary""")
    assert pk == "id"


@pytest.mark.parametrize("mode,connections", [("insert_ignore", 1), ("insert_ignore", 2), ("insert_ignore", 3),
                                              ("upsert", 2), ("upsert", 3)])
def test_keys_shared_by_splits_in_flight_land_in_commit_order(work, sluice, postgres, mode, connections):
    """Splits in flight on several connections merge at the same time, and insert_ignore copies
    new keys straight into the table; when two splits in flight hold the same key, the later one
    gives way (no deadlock), so the table is as if the splits had loaded one after the other."""
    table = f"shared_{mode}_{connections}"
    write(work / "p.yml", KEYED.format(name=f"pg-shared-{mode}-{connections}", table=table, mode=mode)
          + f"  connections: {connections}\n  create: true\nworkers: 2\n")
    files = []
    for f in range(24):
        # each file shares half its keys with the next; every third file repeats a key inside itself
        rs = [(i, f"f{f}-{i}", float(f * 10_000 + i)) for i in range(f * 300, f * 300 + 600)]
        if f % 3 == 0:
            rs.insert(50, (f * 300 + 7, f"f{f}-dup", -1.0))
        files.append(rs)
        write(work / "in" / f"part-{f:03d}.csv", _csv(rs))
    # a first run over keys that are all new, then the rest
    env = {"DATABASE_URL": postgres}
    r = sluice("run", "p.yml", env=env, timeout=300)
    assert "completed" in r.stderr, r.stderr
    want = {}
    for rs in files:
        for i, v, n in rs:
            if mode == "upsert" or i not in want:
                want[i] = (v, n)
    got = {int(i): (v, float(n)) for i, v, n in rows(postgres, f"SELECT id, v, n FROM {table}")}
    assert len(got) == len(want) == 23 * 300 + 600
    assert got == want
    n_splits, committed = ledger(postgres, f"pg-shared-{mode}-{connections}")
    assert n_splits == 24 and committed == sum(len(rs) for rs in files)
    # a second run with every key known already (insert_ignore: each split falls back to the stage)
    for f, rs in enumerate(files):
        write(work / "in" / f"again-{f:03d}.csv", _csv([(i, "late", 0.0) for i, _, _ in rs]))
    r = sluice("run", "p.yml", env=env, timeout=300)
    assert "completed" in r.stderr, r.stderr
    got = {int(i): (v, float(n)) for i, v, n in rows(postgres, f"SELECT id, v, n FROM {table}")}
    assert got == (want if mode == "insert_ignore" else {i: ("late", 0.0) for i in want})


def test_two_processes_with_shared_keys_finish(work, sluice, postgres):
    """Two runs of different pipelines load the same keys, in opposite orders, into one table at
    the same time, each with splits in flight on two connections and neither knowing of the
    other's splits: both finish, and every key is there once, from one side or the other."""
    table = "shared_two_procs"
    procs = []
    env = dict(os.environ, DATABASE_URL=postgres)
    for side in ("a", "b"):
        d = work / side
        write(d / "p.yml", KEYED.format(name=f"pg-two-{side}", table=table, mode="insert_ignore")
              + "  connections: 2\n  create: true\nworkers: 2\n")
        for f in range(16):
            # both sides hold every key, in opposite orders, so their splits collide constantly
            ids = range(f * 500, f * 500 + 500) if side == "a" else range(7_999 - f * 500, 7_499 - f * 500, -1)
            write(d / "in" / f"part-{f:03d}.csv", _csv([(i, f"{side}{i}", float(i)) for i in ids]))
    psql(postgres, f"CREATE TABLE {table} (id bigint PRIMARY KEY, v text, n double precision)")
    for side in ("a", "b"):
        procs.append(subprocess.Popen([sluice.bin, "run", "p.yml"], cwd=work / side, env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True))
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    got = rows(postgres, f"SELECT count(*), count(DISTINCT id), min(id), max(id), sum(n) FROM {table}")[0]
    assert [int(x) for x in got[:4]] == [8000, 8000, 0, 7999] and float(got[4]) == sum(range(8000)), got
    bad = psql(postgres, f"SELECT count(*) FROM {table} WHERE v NOT IN ('a' || id, 'b' || id)")
    assert bad == "0"


REPLACE = """name: pg-replace
source:
  type: csv
  paths: ["in/daily.csv"]
  split_size: 64KB
  schema: {day: date, src: string, amount: float64, note: string}
sink:
  type: postgres
  url: ${DATABASE_URL}
  table: daily
  mode: replace
  partition_keys: [day]
  create: false
"""


def test_replace_by_partition_key(work, sluice, postgres):
    psql(postgres, "CREATE TABLE daily (day date, src text, amount float8, note text)")
    psql(postgres, """INSERT INTO daily SELECT d::date, 'old', 1, 'old' FROM generate_series('2024-01-01'::date, '2024-01-03', '1 day') d,
                      generate_series(1, 10)""")
    # days 02 and 03 interleaved over ~10 splits: each split replaces them, but must not delete
    # what earlier splits of the same load wrote
    lines = [f"2024-01-0{2 + k % 2},s{k},{k},new-row-padding-padding-padding-padding\n" for k in range(12_000)]
    write(work / "in" / "daily.csv", "day,src,amount,note\n" + "".join(lines))
    write(work / "p.yml", REPLACE)
    env = {"DATABASE_URL": postgres}
    sluice("run", "p.yml", env=env)
    splits, _ = ledger(postgres, "pg-replace")
    assert splits >= 5
    counts = dict(rows(postgres, "SELECT day || '/' || left(note, 3), count(*) FROM daily GROUP BY 1"))
    assert counts == {"2024-01-01/old": "10", "2024-01-02/new": "6000", "2024-01-03/new": "6000"}
    assert psql(postgres, "SELECT sum(amount) FROM daily WHERE day > '2024-01-01'") == str(sum(range(12_000)))
    # a new version of the file that only holds day 03: day 03 is replaced, 01 and 02 stay
    time.sleep(0.01)
    write(work / "in" / "daily.csv", "day,src,amount,note\n" + "".join(f"2024-01-03,v2-{k},2,v2\n" for k in range(100)))
    sluice("run", "p.yml", env=env)
    counts = dict(rows(postgres, "SELECT day || '/' || left(note, 3), count(*) FROM daily GROUP BY 1"))
    assert counts == {"2024-01-01/old": "10", "2024-01-02/new": "6000", "2024-01-03/v2": "100"}


@pytest.mark.parametrize("mode", ["upsert", "replace"])
def test_an_aggregate_without_groups_commits_and_keeps_the_table(work, sluice, postgres, mode):
    """No staging table is made for a split without rows: the commit must not refer to one."""
    keys = "key: [day]" if mode == "upsert" else "partition_keys: [day]"
    pipeline = f"""name: pg-empty-{mode}
source: {{type: csv, paths: ["in/daily.csv"], schema: {{day: date, src: string, amount: float64, note: string}}}}
transforms:
  - filter: "amount >= MIN"
  - aggregate: {{group_by: [day], compute: {{total: sum(amount)}}}}
sink: {{type: postgres, url: "${{DATABASE_URL}}", table: empty_{mode}, mode: {mode}, {keys}}}
"""
    write(work / "in" / "daily.csv", "day,src,amount,note\n2024-01-02,a,5,x\n2024-01-03,b,7,y\n")
    env = {"DATABASE_URL": postgres}
    write(work / "p.yml", pipeline.replace("MIN", "0"))
    sluice("run", "p.yml", env=env)
    write(work / "p.yml", pipeline.replace("MIN", "100"))
    r = sluice("run", "p.yml", env=env)
    assert "completed: 0 rows written" in r.stderr
    assert rows(postgres, f"SELECT day, total FROM empty_{mode} ORDER BY day") == [["2024-01-02", "5"], ["2024-01-03", "7"]]
    assert ledger(postgres, f"pg-empty-{mode}")[0] == 2


def test_an_aggregate_over_many_files_commits(work, sluice, postgres):
    """The ledger row of an aggregate's commit names its inputs in bounded text: the paths of
    150 files joined passed the 2,704-byte limit of the ledger's index on `file`."""
    for k in range(150):
        write(work / "in" / f"daily-report-with-a-long-name-{k:04d}.csv", f"day,src,amount,note\n2024-01-0{1 + k % 3},s{k},{k},n\n")
    write(work / "p.yml", """name: pg-many
source: {type: csv, paths: ["in/*.csv"], schema: {day: date, src: string, amount: float64, note: string}}
transforms:
  - aggregate: {group_by: [day], compute: {total: sum(amount), files: "count(*)"}}
sink: {type: postgres, url: "${DATABASE_URL}", table: many_files, mode: upsert, key: [day]}
""")
    sluice("run", "p.yml", env={"DATABASE_URL": postgres})
    assert rows(postgres, "SELECT day, total, files FROM many_files ORDER BY day") == [
        ["2024-01-01", str(sum(range(0, 150, 3))), "50"], ["2024-01-02", str(sum(range(1, 150, 3))), "50"],
        ["2024-01-03", str(sum(range(2, 150, 3))), "50"]]
    assert psql(postgres, "SELECT file FROM sluice_ledger WHERE pipeline = 'pg-many'") == "in/daily-report-with-a-long-name-0000.csv and 149 more"


def test_sigkill_midway_then_rerun_loads_each_row_once(work, sluice, postgres):
    telecom_pipeline(work, "pg-kill", "telecom_kill", extra_source="  split_size: 1MB\n", extra="workers: 2\n")
    sluice("generate", "telecom", "--rows", 1_500_000, "--out", "data/telecom/telecom.csv")
    csv = work / "data" / "telecom" / "telecom.csv"
    env = dict(os.environ, DATABASE_URL=postgres)
    p = subprocess.Popen([sluice.bin, "run", "telecom.yml"], cwd=work, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    deadline = time.time() + 300
    while time.time() < deadline:
        if psql(postgres, "SELECT to_regclass('sluice_ledger') IS NOT NULL") == "t" and ledger(postgres, "pg-kill")[1] >= 300_000:
            break
        if p.poll() is not None:
            raise AssertionError("run finished before it could be killed: " + p.stderr.read())
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL)
    p.wait()
    _, before = ledger(postgres, "pg-kill")
    total = duck_telecom(csv)[0]
    assert 0 < before < total, (before, total)
    # what is in the table is exactly what the ledger says was committed
    assert int(psql(postgres, "SELECT count(*) FROM telecom_kill")) == before
    r = sluice("run", "telecom.yml", env={"DATABASE_URL": postgres})
    assert "skipped (already committed)" in r.stderr, r.stderr
    assert f"{total - before} rows written" in r.stderr, r.stderr
    got = rows(postgres, """SELECT count(*), count(DISTINCT (square_id, time_interval, country_code)), sum(internet)
                            FROM telecom_kill""")[0]
    want = duckdb.connect().execute(f"""SELECT count(*), count(DISTINCT (square_id, time_interval, country_code)), sum(internet)
        FROM read_csv('{csv}', header=true, columns={TELECOM_COLUMNS})""").fetchone()
    assert int(got[0]) == want[0] == total
    assert int(got[1]) == want[1] == total  # no duplicates
    assert abs(float(got[2]) - want[2]) <= 1e-9 * want[2]
    assert ledger(postgres, "pg-kill")[1] == total


@pytest.mark.parametrize("fmt", ["text", "binary"])
def test_dropped_connections_are_retried_and_load_exactly_once(work, sluice, postgres, fmt):
    telecom_pipeline(work, f"pg-drop-{fmt}", f"telecom_drop_{fmt}", extra_source="  split_size: 1MB\n", extra="workers: 2\n",
                     extra_sink=f"  copy_format: {fmt}\n")
    sluice("generate", "telecom", "--rows", 600_000, "--out", "data/telecom/telecom.csv")
    csv = work / "data" / "telecom" / "telecom.csv"
    env = dict(os.environ, DATABASE_URL=postgres)
    p = subprocess.Popen([sluice.bin, "run", "telecom.yml"], cwd=work, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    kill_others = """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                     WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND datname = current_database()"""
    killed = 0
    marks = [50_000, 200_000, 350_000]
    deadline = time.time() + 300
    while marks and time.time() < deadline and p.poll() is None:
        if psql(postgres, "SELECT to_regclass('sluice_ledger') IS NOT NULL") == "t" and ledger(postgres, f"pg-drop-{fmt}")[1] >= marks[0]:
            killed += int(psql(postgres, kill_others))
            marks.pop(0)
        time.sleep(0.02)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    assert killed >= 2, (killed, err)
    assert_loaded_once(postgres, f"telecom_drop_{fmt}", f"pg-drop-{fmt}", csv, 600_000)


def test_connection_lost_while_setting_up_is_retried(work, sluice, postgres):
    """The backend is terminated while sluice sets the table up (before any split): sluice
    reconnects and loads every row once, instead of stopping at 'creating sluice_ledger'.
    The setup is held at a known point by holding the advisory lock it takes."""
    telecom_pipeline(work, "pg-setup-loss", "telecom_setup_loss")
    sluice("generate", "telecom", "--rows", 20_000, "--out", "data/telecom/telecom.csv")
    csv = work / "data" / "telecom" / "telecom.csv"
    holder = subprocess.Popen(["psql", postgres, "-X", "-q", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        holder.stdin.write("""BEGIN;\nSELECT pg_advisory_xact_lock(hashtext('sluice:"sluice_ledger"'));\n""")
        holder.stdin.flush()
        held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        deadline = time.time() + 30
        while psql(postgres, held) == "0":
            assert time.time() < deadline, "the test could not take the advisory lock"
            time.sleep(0.05)
        p = subprocess.Popen([sluice.bin, "run", "telecom.yml"], cwd=work, env=dict(os.environ, DATABASE_URL=postgres),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        waiting = """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                     WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND datname = current_database()"""
        killed = 0
        deadline = time.time() + 60
        while killed == 0 and p.poll() is None:
            assert time.time() < deadline, "sluice never waited for the setup lock"
            killed = int(psql(postgres, waiting))
            time.sleep(0.05)
        time.sleep(0.5)  # sluice reconnects and waits for the lock again
    finally:
        holder.stdin.write("COMMIT;\n")
        holder.stdin.close()
        holder.wait(timeout=30)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    assert killed == 1
    assert "completed: 20000 rows written" in err, err
    assert_loaded_once(postgres, "telecom_setup_loss", "pg-setup-loss", csv, 20_000)


def test_three_connections_load_every_row_once(work, sluice, postgres):
    """connections: 3 with 3 workers: splits are in flight on three connections at once, and
    every row still lands exactly once, each split recorded once with its rows."""
    telecom_pipeline(work, "pg-par", "telecom_par", extra_source="  split_size: 512KB\n", extra="workers: 3\n",
                     extra_sink="  connections: 3\n")
    sluice("generate", "telecom", "--rows", 1_000_000, "--out", "data/telecom/telecom.csv")
    csv = work / "data" / "telecom" / "telecom.csv"
    r = sluice("run", "telecom.yml", env={"DATABASE_URL": postgres})
    assert "completed: 1000000 rows written" in r.stderr, r.stderr
    got = rows(postgres, """SELECT count(*), count(DISTINCT (square_id, time_interval, country_code)), sum(internet),
                                   sum(sms_in), count(call_in), sum(square_id) FROM telecom_par""")[0]
    want = duck_telecom(csv)
    assert int(got[0]) == int(got[1]) == want[0] == 1_000_000
    assert abs(float(got[2]) - want[1]) <= 1e-9 * want[1]
    assert abs(float(got[3]) - want[2]) <= 1e-9 * want[2]
    assert (int(got[4]), int(got[5])) == (want[7], want[9])
    n_splits, committed = ledger(postgres, "pg-par")
    assert committed == 1_000_000 and n_splits > 20, n_splits
    # one ledger row per split, numbered 1..n in commit order
    assert psql(postgres, "SELECT count(DISTINCT seq), min(seq), max(seq) FROM sluice_ledger WHERE pipeline = 'pg-par'") \
        == f"{n_splits}|1|{n_splits}"
    r2 = sluice("run", "telecom.yml", env={"DATABASE_URL": postgres})
    assert "completed: 0 rows written" in r2.stderr, r2.stderr


def test_split_failing_after_its_commit_was_handed_off_fails_the_run(work, sluice, postgres):
    """With several connections `commit` returns before the split is in the table; a failure that
    comes later (here a CHECK on the last row, seen at the COPY's end) must still fail the run,
    name the split, and leave a prefix of the splits committed; the re-run loads the rest."""
    psql(postgres, "CREATE TABLE checked (id bigint NOT NULL, v text, n float8 CHECK (n >= 0))")
    write(work / "p.yml", KEYED.format(name="pg-checked", table="checked", mode="append").replace(
        "  key: [id]\n", "  create: false\n  connections: 3\n").replace("  paths:", "  split_size: 64KB\n  paths:") + "workers: 2\n")
    n = 40_000
    write(work / "in" / "a.csv", _csv([(i, f"value-{i}", -1.0 if i == n - 1 else float(i)) for i in range(n)]))
    r = sluice("run", "p.yml", env={"DATABASE_URL": postgres}, check=False)
    assert r.returncode != 0, r.stderr
    assert "checked_n_check" in r.stderr and "in/a.csv:40001" in r.stderr, r.stderr
    # what is in the table is exactly what the ledger holds, and it is a prefix of the file
    count, top = rows(postgres, "SELECT count(*), coalesce(max(id), -1) FROM checked")[0]
    assert int(count) == ledger(postgres, "pg-checked")[1] == int(top) + 1 < n
    psql(postgres, "ALTER TABLE checked DROP CONSTRAINT checked_n_check")
    sluice("run", "p.yml", env={"DATABASE_URL": postgres})
    assert psql(postgres, "SELECT count(*), count(DISTINCT id), sum(n)::bigint FROM checked") == f"{n}|{n}|{sum(range(n - 1)) - 1}"


def test_changed_file_is_reported_not_merged(work, sluice, postgres):
    write(work / "p.yml", KEYED.format(name="pg-changed", table="changed", mode="append").replace("  key: [id]\n", ""))
    write(work / "in" / "a.csv", _csv([(i, f"v{i}", 1.0) for i in range(100)]))
    env = {"DATABASE_URL": postgres}
    sluice("run", "p.yml", env=env)
    time.sleep(0.01)
    with open(work / "in" / "a.csv", "a") as f:
        f.write("100,v100,1.0\n")
    r = sluice("run", "p.yml", env=env, check=False)
    assert r.returncode != 0
    assert "changed after bytes" in r.stderr and "a.csv" in r.stderr, r.stderr
    assert psql(postgres, "SELECT count(*) FROM changed") == "100"
    # a file that was only touched (same bytes) is recognised and not loaded twice
    write(work / "in" / "a.csv", _csv([(i, f"v{i}", 1.0) for i in range(100)]))
    r = sluice("run", "p.yml", env=env)
    assert psql(postgres, "SELECT count(*), count(DISTINCT id) FROM changed") == "100|100"


def test_constraint_violation_names_table_column_file_and_line(work, sluice, postgres):
    psql(postgres, "CREATE TABLE strict (id bigint NOT NULL, v text, n float8)")
    write(work / "p.yml", KEYED.format(name="pg-strict", table="strict", mode="append").replace("  key: [id]\n", "  create: false\n"))
    write(work / "in" / "a.csv", "id,v,n\n1,a,1\n2,b,2\n3,c,3\n,d,4\n5,e,5\n")
    r = sluice("run", "p.yml", env={"DATABASE_URL": postgres}, check=False)
    assert r.returncode != 0
    assert "strict" in r.stderr and "column id" in r.stderr and "in/a.csv:5" in r.stderr, r.stderr
    assert "null value" in r.stderr, r.stderr
    assert psql(postgres, "SELECT count(*) FROM strict") == "0"


def test_existing_table_that_differs_is_named(work, sluice, postgres):
    psql(postgres, "CREATE TABLE differs (id int4, v text, n date)")
    write(work / "p.yml", KEYED.format(name="pg-differs", table="differs", mode="append").replace("  key: [id]\n", ""))
    write(work / "in" / "a.csv", "id,v,n\n1,a,1\n")
    r = sluice("run", "p.yml", env={"DATABASE_URL": postgres}, check=False)
    assert r.returncode != 0
    assert "column 'id' of table differs is integer, but the output's id is int64" in r.stderr, r.stderr
    assert "column 'n' of table differs is date, but the output's n is float64" in r.stderr, r.stderr


CONFIG = """name: t
source:
  type: csv
  paths: [in.csv]
  schema: {id: int64, v: string}
sink:
  type: postgres
  url: postgresql://u:hunter2-secret@127.0.0.1:1/db
  table: t
  mode: upsert
  key: [id]
"""


@pytest.mark.parametrize("old,new,needle", [
    ("  mode: upsert\n", "  mode: upsret\n", "p.yml:10:9: sink.mode: unknown mode 'upsret'; did you mean 'upsert'?"),
    ("  key: [id]\n", "  key: [idd]\n", "p.yml:11:8: sink.key: key column 'idd'; did you mean 'id'? is not in the output (columns: id, v)"),
    ("  table: t\n", "  tabel: t\n", "p.yml:9:3: sink.tabel: unknown key 'tabel'; did you mean 'table'?"),
    ("  key: [id]\n", "", "p.yml:10:9: sink.mode: mode upsert needs 'key'"),
    ("  key: [id]\n", "  key: [id]\n  partition_keys: [v]\n", "p.yml:12:19: sink.partition_keys: partition_keys applies to mode replace, not upsert"),
    ("  mode: upsert\n", "  mode: replace\n", "p.yml:10:9: sink.mode: mode replace needs 'partition_keys'"),
    ("  url: postgresql://u:hunter2-secret@127.0.0.1:1/db\n", "  url: postgresql://u:hunter2-secret@127.0.0.1:99999/db\n",
     "p.yml:8:8: sink.url: invalid PostgreSQL URL 'postgresql://u:***@127.0.0.1:99999/db': the port must be a number"),
    ("  url: postgresql://u:hunter2-secret@127.0.0.1:1/db\n", "  url: ${NOPE_URL}\n",
     "p.yml:8:8: sink.url: environment variable NOPE_URL is not set"),
    ("  mode: upsert\n", "  mode: upsert\n  mode: upsert\n", "invalid YAML"),
])
def test_config_errors_name_file_line_and_key(work, sluice, old, new, needle):
    write(work / "in.csv", "id,v\n1,x\n")
    assert old in CONFIG
    write(work / "p.yml", CONFIG.replace(old, new))
    for cmd in ("validate", "run"):
        r = sluice(cmd, "p.yml", check=False)
        assert r.returncode != 0
        assert needle in r.stderr, (needle, r.stderr)
        assert "hunter2" not in r.stderr + r.stdout, r.stderr
        assert not (work / ".sluice").exists()


def test_password_never_appears(work, sluice, postgres):
    secret = "Sup3r@Secret-pw"
    encoded = "Sup3r%40Secret-pw"
    psql(postgres, f"DROP ROLE IF EXISTS sluice_pw; CREATE ROLE sluice_pw LOGIN PASSWORD '{secret}' SUPERUSER")
    hba = psql(postgres, "SHOW hba_file")
    original = open(hba).read()
    if "sluice_pw" not in original:
        open(hba, "w").write("host all sluice_pw 127.0.0.1/32 scram-sha-256\n" + original)
        psql(postgres, "SELECT pg_reload_conf()")
        time.sleep(0.3)
    port = postgres.rsplit(":", 1)[1].split("/")[0]
    good = f"postgresql://sluice_pw:{encoded}@127.0.0.1:{port}/postgres?sslmode=disable"
    write(work / "p.yml", KEYED.format(name="pg-secret", table="secret_t", mode="upsert"))
    write(work / "in" / "a.csv", "id,v,n\n1,a,1\n2,b,2\n")
    outputs = []
    r = sluice("run", "p.yml", env={"DATABASE_URL": good})
    outputs += [r.stdout, r.stderr]
    assert psql(postgres, "SELECT count(*) FROM secret_t") == "2"
    # wrong password (authentication fails), closed port, and a server-side error after connecting
    for url in (good.replace(encoded, "Wr0ng%40Password-x"),
                f"postgresql://sluice_pw:{encoded}@127.0.0.1:1/postgres",
                good):
        if url == good:
            psql(postgres, "DROP TABLE secret_t; CREATE TABLE secret_t (id text, v int4, n float8)")
        r = sluice("run", "p.yml", env={"DATABASE_URL": url}, check=False)
        assert r.returncode != 0, r.stderr
        outputs += [r.stdout, r.stderr]
    for rep in (work / ".sluice" / "pg-secret" / "runs").glob("*/report.json"):
        outputs.append(rep.read_text())
    assert len(outputs) >= 8
    blob = "\n".join(outputs)
    for s in (secret, encoded, "Wr0ng@Password-x", "Wr0ng%40Password-x"):
        assert s not in blob, s
    assert "sluice_pw:***@" in blob


def _popen_run(sluice, work, url):
    env = dict(os.environ, DATABASE_URL=url)
    return subprocess.Popen([sluice.bin, "run", "telecom.yml"], cwd=work, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)


def _wait_for_ledger(url, pipeline, p, at_least):
    deadline = time.time() + 300
    while time.time() < deadline:
        if psql(url, "SELECT to_regclass('sluice_ledger') IS NOT NULL") == "t" and ledger(url, pipeline)[1] >= at_least:
            return
        if p.poll() is not None:
            raise AssertionError("run finished too early: " + p.stderr.read())
        time.sleep(0.02)
    raise AssertionError("no progress")


def test_sigterm_rolls_back_the_open_split_and_resume_completes(work, sluice, postgres):
    telecom_pipeline(work, "pg-term", "telecom_term", extra_source="  split_size: 1MB\n", extra="workers: 2\n")
    sluice("generate", "telecom", "--rows", 800_000, "--out", "data/telecom/telecom.csv")
    p = _popen_run(sluice, work, postgres)
    _wait_for_ledger(postgres, "pg-term", p, 100_000)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, (p.returncode, err)
    assert "cancelled:" in err, err
    _, committed = ledger(postgres, "pg-term")
    assert int(psql(postgres, "SELECT count(*) FROM telecom_term")) == committed > 0
    # nothing is left open on the server
    assert psql(postgres, "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%'") == "0"
    reports = sorted((work / ".sluice" / "pg-term" / "runs").glob("*/report.json"))
    assert json.loads(reports[-1].read_text())["status"] == "cancelled"
    r = sluice("run", "telecom.yml", env={"DATABASE_URL": postgres})
    assert f"{800_000 - committed} rows written" in r.stderr, r.stderr
    assert psql(postgres, "SELECT count(*), count(DISTINCT (square_id, time_interval, country_code)) FROM telecom_term") == "800000|800000"


def test_server_restart_midway_is_survived_exactly_once(work, sluice, postgres):
    telecom_pipeline(work, "pg-restart", "telecom_restart", extra_source="  split_size: 1MB\n", extra="workers: 2\n")
    sluice("generate", "telecom", "--rows", 600_000, "--out", "data/telecom/telecom.csv")
    csv = work / "data" / "telecom" / "telecom.csv"
    data_dir = psql(postgres, "SHOW data_directory")
    pg_ctl = sorted(__import__("glob").glob("/usr/lib/postgresql/*/bin/pg_ctl"))[-1]
    p = _popen_run(sluice, work, postgres)
    _wait_for_ledger(postgres, "pg-restart", p, 100_000)
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    # the new server must not inherit a pipe of ours (it would never close): log to its file
    log = os.path.join(os.path.dirname(data_dir), "server.log")
    subprocess.run(as_pg + [pg_ctl, "-D", data_dir, "-l", log, "-m", "fast", "-w", "restart"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    assert_loaded_once(postgres, "telecom_restart", "pg-restart", csv, 600_000)
