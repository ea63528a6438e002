"""kill -9 a watching run at random moments while files keep arriving, restart it each time:
every valid event ends up in PostgreSQL exactly once, every invalid one in the dead-letter file
exactly once, over 10 kills (the issue's figure; SLUICE_KILLS changes it)."""
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

    def feed():
        # ~12 files a second for about 5 s, each renamed into the folder complete
        for f in staged:
            os.rename(f, incoming / f.name)
            time.sleep(0.08)

    feeder = threading.Thread(target=feed)
    feeder.start()
    env = dict(os.environ, DATABASE_URL=postgres)
    rng = random.Random(int(os.environ.get("SLUICE_KILL_SEED", "3")))
    kills = int(os.environ.get("SLUICE_KILLS", "10"))
    committed_at_kill = []
    for _ in range(kills):
        p = subprocess.Popen([sluice.bin, "run", "events.yml"], cwd=work, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.3, 1.2))
        p.send_signal(signal.SIGKILL)
        p.wait()
        assert p.returncode == -signal.SIGKILL, p.stderr.read()
        committed_at_kill.append(psql(postgres, "SELECT count(*) FROM sluice_ledger WHERE pipeline = 'ev-kill'"))
    feeder.join()
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
    # dead letters: cut back to the last commit on each restart, so none is lost or doubled
    dead = [json.loads(l) for l in (work / "out/dead-letter/events.jsonl").read_text().splitlines()]
    assert sorted((d["file"], d["line"]) for d in dead) == sorted(
        (f"incoming/{f.name}", i + 2) for f in sorted(incoming.glob("*.csv"))
        for i, row in enumerate(csv.DictReader(open(f, newline=""))) if row["_defect"])
    assert len(dead) == len(invalid)
