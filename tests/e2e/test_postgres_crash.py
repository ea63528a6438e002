"""Crash safety of PostgreSQL loads, the way an operator meets it: a load killed with SIGKILL at
random moments, once with the server restarted under it, and re-run each time, ends with every
row exactly once; and the `sluice load` one-liner keeps the same promise without a pipeline file."""
import glob
import os
import random
import signal
import subprocess
import time

import duckdb

from test_postgres_sink import TELECOM_COLUMNS, duck_telecom, ledger, psql, rows, telecom_pipeline


def _table_matches_ledger(url, table, pipeline):
    """The invariant at every instant: the table holds exactly the rows the ledger says were committed."""
    n = int(psql(url, f"SELECT count(*) FROM {table}")) if psql(url, f"SELECT to_regclass('{table}') IS NOT NULL") == "t" else 0
    committed = ledger(url, pipeline)[1] if psql(url, "SELECT to_regclass('sluice_ledger') IS NOT NULL") == "t" else 0
    assert n == committed, (n, committed)
    return committed


def _restart_server(url):
    data_dir = psql(url, "SHOW data_directory")
    pg_ctl = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))[-1]
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    log = os.path.join(os.path.dirname(data_dir), "server.log")
    subprocess.run(as_pg + [pg_ctl, "-D", data_dir, "-l", log, "-m", "immediate", "-w", "restart"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for_rows(url, pipeline, p, at_least):
    deadline = time.time() + 300
    while time.time() < deadline and p.poll() is None:
        if psql(url, "SELECT to_regclass('sluice_ledger') IS NOT NULL") == "t" and ledger(url, pipeline)[1] >= at_least:
            return
        time.sleep(0.02)


def test_ten_random_kills_and_a_server_restart_leave_every_row_once(work, sluice, postgres):
    telecom_pipeline(work, "pg-chaos", "telecom_chaos", extra_source="  split_size: 256KB\n", extra="workers: 2\n")
    # enough rows that ten kills land before the end at today's speed (binary COPY)
    sluice("generate", "telecom", "--rows", 2_400_000, "--out", "data/telecom/telecom.csv")
    csv = work / "data" / "telecom" / "telecom.csv"
    total = duck_telecom(csv)[0]
    env = dict(os.environ, DATABASE_URL=postgres)
    rng = random.Random(20261122)
    kills, progress = 0, []
    for attempt in range(30):
        before = progress[-1] if progress else 0
        p = subprocess.Popen([sluice.bin, "run", "telecom.yml"], cwd=work, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        if attempt == 4:
            # the server goes away mid-load (immediate shutdown: open transactions are lost); the
            # run retries, reconnects and carries on
            _wait_for_rows(postgres, "pg-chaos", p, before + rng.randrange(10_000, 60_000))
            _restart_server(postgres)
            before = ledger(postgres, "pg-chaos")[1]
        if kills < 10:
            # a random moment after some progress (so each kill lands mid-load, not before the start)
            _wait_for_rows(postgres, "pg-chaos", p, before + rng.randrange(5_000, 40_000))
            time.sleep(rng.uniform(0, 0.3))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                kills += 1
        _, err = p.communicate(timeout=600)
        print("attempt", attempt, "rc", p.returncode, "kills", kills, err[-300:] if p.returncode not in (0, -9) else "")
        progress.append(_table_matches_ledger(postgres, "telecom_chaos", "pg-chaos"))
        if p.returncode == 0:
            break
        assert p.returncode == -signal.SIGKILL, (p.returncode, err)
    assert kills == 10, (kills, progress)
    assert progress[-1] == total, progress
    got = rows(postgres, """SELECT count(*), count(DISTINCT (square_id, time_interval, country_code)), sum(internet)
                            FROM telecom_chaos""")[0]
    want = duckdb.connect().execute(f"""SELECT count(*), sum(internet)
        FROM read_csv('{csv}', header=true, columns={TELECOM_COLUMNS})""").fetchone()
    assert int(got[0]) == int(got[1]) == want[0] == total
    assert abs(float(got[2]) - want[1]) <= 1e-9 * want[1]
    # the kills landed mid-load: the committed count grew from one attempt to the next
    assert len(set(progress)) >= 10, progress


def test_kills_with_three_connections_leave_every_row_once(work, sluice, postgres):
    """connections: 3 keeps up to three splits in flight; a SIGKILL can land while several of them
    are between COPY and COMMIT. The ledger must still match the table after every kill (each
    split is one transaction with its ledger row), and the re-runs end with every row once."""
    telecom_pipeline(work, "pg-par-kill", "telecom_par_kill", extra_source="  split_size: 256KB\n", extra="workers: 2\n",
                     extra_sink="  connections: 3\n")
    sluice("generate", "telecom", "--rows", 800_000, "--out", "data/telecom/telecom.csv")
    csv = work / "data" / "telecom" / "telecom.csv"
    env = dict(os.environ, DATABASE_URL=postgres)
    rng = random.Random(5)
    kills, progress = 0, []
    for attempt in range(12):
        before = progress[-1] if progress else 0
        p = subprocess.Popen([sluice.bin, "run", "telecom.yml"], cwd=work, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        if kills < 4:
            _wait_for_rows(postgres, "pg-par-kill", p, before + rng.randrange(20_000, 80_000))
            time.sleep(rng.uniform(0, 0.2))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                kills += 1
        _, err = p.communicate(timeout=600)
        progress.append(_table_matches_ledger(postgres, "telecom_par_kill", "pg-par-kill"))
        if p.returncode == 0:
            break
        assert p.returncode == -signal.SIGKILL, (p.returncode, err)
    assert kills == 4, (kills, progress)
    _check_exactly_once(postgres, "telecom_par_kill", csv)
    assert ledger(postgres, "pg-par-kill")[1] == 800_000
    # nothing was left open on the server by the killed runs' connections
    assert psql(postgres, "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%'") == "0"


def test_load_one_liner_resumes_and_upserts(work, sluice, postgres):
    sluice("generate", "telecom", "--rows", 300_000, "--out", "data/a.csv")
    csv = work / "data" / "a.csv"
    env = {"DATABASE_URL": postgres}
    r = sluice("load", "data/a.csv", "--table", "public.telecom_load", env=env)
    assert "completed: 300000 rows written" in r.stderr, r.stderr
    want = duck_telecom(csv)
    got = rows(postgres, "SELECT count(*), sum(internet) FROM telecom_load")[0]
    assert int(got[0]) == want[0] == 300_000
    assert abs(float(got[1]) - want[1]) <= 1e-9 * want[1]
    # the same command again finds its ledger rows and loads nothing
    r = sluice("load", "data/a.csv", "--table", "public.telecom_load", env=env)
    assert "completed: 0 rows written" in r.stderr, r.stderr
    assert psql(postgres, "SELECT count(*) FROM telecom_load") == "300000"

    # upsert: a file whose keys overlap the table updates exactly those rows and adds the rest
    (work / "k1.csv").write_text("id,v\n" + "".join(f"{i},old{i}\n" for i in range(1, 101)))
    (work / "k2.csv").write_text("id,v\n" + "".join(f"{i},new{i}\n" for i in range(91, 121)))
    for f in ("k1.csv", "k2.csv"):
        r = sluice("load", f, "--table", "keyed_load", "--mode", "upsert", "--key", "id", env=env)
        assert r.returncode == 0, r.stderr
    assert psql(postgres, "SELECT count(*), count(*) FILTER (WHERE v LIKE 'new%'), min(id), max(id) FROM keyed_load") == "120|30|1|120"
    assert psql(postgres, "SELECT v FROM keyed_load WHERE id = 90") == "old90"
    assert psql(postgres, "SELECT v FROM keyed_load WHERE id = 91") == "new91"

    # a mode that needs a key says so before any work
    r = sluice("load", "k1.csv", "--table", "keyed_load", "--mode", "upsert", env=env, check=False)
    assert r.returncode != 0 and "--key" in r.stderr, r.stderr


def _worker(sluice, work, url, name, lease=3):
    env = dict(os.environ, DATABASE_URL=url)
    return subprocess.Popen([sluice.bin, "worker", "telecom.yml", "--id", name, "--lease", str(lease), "--workers", "1"],
                            cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)


def _check_exactly_once(url, table, csv):
    got = rows(url, f"SELECT count(*), count(DISTINCT (square_id, time_interval, country_code)), sum(internet) FROM {table}")[0]
    want = duckdb.connect().execute(f"""SELECT count(*), sum(internet)
        FROM read_csv('{csv}', header=true, columns={TELECOM_COLUMNS})""").fetchone()
    assert int(got[0]) == int(got[1]) == want[0]
    assert abs(float(got[2]) - want[1]) <= 1e-9 * want[1]


def test_three_workers_share_a_job_and_survive_losing_one(work, sluice, postgres):
    telecom_pipeline(work, "pg-workers", "telecom_workers", extra_source="  split_size: 512KB\n")
    sluice("generate", "telecom", "--rows", 900_000, "--out", "data/telecom/telecom.csv")
    csv = work / "data" / "telecom" / "telecom.csv"
    ps = [_worker(sluice, work, postgres, f"w{k}") for k in range(3)]
    # let the job get going, then kill one worker while it holds leases
    deadline = time.time() + 300
    while time.time() < deadline:
        if psql(postgres, "SELECT to_regclass('sluice_ledger') IS NOT NULL") == "t" and ledger(postgres, "pg-workers")[1] >= 150_000:
            break
        time.sleep(0.05)
    held = psql(postgres, "SELECT count(*) FROM sluice_splits WHERE pipeline = 'pg-workers' AND owner = 'w1' AND lease_until > now()")
    ps[1].send_signal(signal.SIGKILL)
    for k in (0, 2):
        _, err = ps[k].communicate(timeout=600)
        assert ps[k].returncode == 0, err
        assert "completed" in err, err
    ps[1].wait()
    _check_exactly_once(postgres, "telecom_workers", csv)
    n_splits, committed = ledger(postgres, "pg-workers")
    assert committed == 900_000
    # every planned split is committed once, and the survivors did the dead worker's share
    owners = dict(rows(postgres, """SELECT owner, count(*) FROM sluice_splits WHERE pipeline = 'pg-workers' GROUP BY owner"""))
    assert int(psql(postgres, "SELECT count(*) FROM sluice_splits WHERE pipeline = 'pg-workers'")) == n_splits
    assert int(owners.get("w0", 0)) > 0 and int(owners.get("w2", 0)) > 0, owners
    assert int(held) >= 0
    # a split the dead worker had claimed was claimed again by a survivor
    assert int(psql(postgres, "SELECT count(*) FROM sluice_splits WHERE pipeline = 'pg-workers' AND claims > 1")) >= 1 or held == "0"
