"""kill -9 a watching run at random moments while files keep arriving for 60 s, restart it each
time: every valid event ends up in PostgreSQL exactly once, every invalid one in the dead-letter
file exactly once, over 10 kills (the issue's figures; SLUICE_KILLS and SLUICE_KILL_SECONDS change
them)."""
import csv
import json
import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

from test_streaming import pipeline, psql


def test_kill9_at_random_moments_leaves_every_event_exactly_once(work, sluice, postgres):
    files, events = 60, 1500
    sluice("generate", "events", "--batches", files, "--events", events, "--invalid-rate", 0.05, "--labels",
           "--seed", 11, "--out", "staging")
    staged = sorted((work / "staging").glob("*.csv"))
    pipeline(work, "ev-kill", "ev_kill", watch="  watch: { trigger: 0s, max_files_per_trigger: 3, grace: 100ms }\n",
             extra="workers: 2\n")
    incoming = work / "incoming"
    incoming.mkdir()

    seconds = float(os.environ.get("SLUICE_KILL_SECONDS", "60"))

    def feed():
        # the files arrive evenly over the whole run, each renamed into the folder complete
        start = time.time()
        for k, f in enumerate(staged):
            time.sleep(max(0.0, start + k * seconds / files - time.time()))
            os.rename(f, incoming / f.name)

    env = dict(os.environ, DATABASE_URL=postgres)
    rng = random.Random(int(os.environ.get("SLUICE_KILL_SEED", "3")))
    kills = int(os.environ.get("SLUICE_KILLS", "10"))
    kill_at = sorted(rng.uniform(0.5, seconds - 0.5) for _ in range(kills))
    committed_at_kill = []

    log = open(work / "runs.log", "w")  # a file, not a pipe: a minute of progress lines would fill one

    def start():
        return subprocess.Popen([sluice.bin, "run", "events.yml"], cwd=work, env=env, stdout=subprocess.DEVNULL,
                                stderr=log, text=True)

    feeder = threading.Thread(target=feed)
    t0 = time.time()
    feeder.start()
    p = start()
    for t in kill_at:
        time.sleep(max(0.0, t0 + t - time.time()))
        p.send_signal(signal.SIGKILL)
        p.wait()
        assert p.returncode == -signal.SIGKILL, (work / "runs.log").read_text()
        committed_at_kill.append(psql(postgres, "SELECT count(*) FROM sluice_ledger WHERE pipeline = 'ev-kill'"))
        p = start()
    feeder.join()
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=120)
    log.close()
    assert p.returncode == 0, (work / "runs.log").read_text()
    r = sluice("run", "events.yml", "--once", env=env)

    rows = []
    for f in sorted(incoming.glob("*.csv")):
        with open(f, newline="") as fh:
            rows += list(csv.DictReader(fh))
    assert len(rows) == files * events
    valid = {r["event_id"] for r in rows if not r["_defect"]}
    invalid = [r for r in rows if r["_defect"]]
    n, distinct = psql(postgres, "SELECT count(*), count(DISTINCT event_id) FROM ev_kill").split("|")
    assert int(n) == int(distinct) == len(valid), (n, distinct, len(valid), committed_at_kill)
    assert set(psql(postgres, "SELECT event_id FROM ev_kill").split("\n")) == valid
    # one ledger row per file, and the kills landed while work was still going on
    assert int(psql(postgres, "SELECT count(*) FROM sluice_ledger WHERE pipeline = 'ev-kill'")) == files
    assert int(committed_at_kill[0]) < files
    assert kill_at[-1] - kill_at[0] > seconds / 3, kill_at  # spread over the run, not bunched at its start
    # dead letters: cut back to the last commit on each restart, so none is lost or doubled
    dead = [json.loads(l) for l in (work / "out/dead-letter/events.jsonl").read_text().splitlines()]
    assert sorted((d["file"], d["line"]) for d in dead) == sorted(
        (f"incoming/{f.name}", i + 2) for f in sorted(incoming.glob("*.csv"))
        for i, row in enumerate(csv.DictReader(open(f, newline=""))) if row["_defect"])
    assert len(dead) == len(invalid)
