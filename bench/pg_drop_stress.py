#!/usr/bin/env python3
"""Dropped connections under load, many times: a robustness stress, not a benchmark.

Each round loads a telecom CSV into a fresh PostgreSQL table with `sluice run` (two workers, two
connections, COPY in text or binary) while this script terminates every client backend at random
instants (`pg_terminate_backend`, as an administrator or a failover would). A round passes when
sluice exits 0 and the table holds every row exactly once (count, distinct keys, ledger rows).
It reports how many rounds passed, how many runs died of a signal (a crash: postgres-nio traps
with SIGILL when its COPY writer is called on a closing connection) and how many gave up with
an error.

The end-to-end test `test_dropped_connections_are_retried_and_load_exactly_once` kills three
times per load; this script kills every `--interval` seconds (jittered), over many rounds, so
that a rare race shows up in minutes instead of in one CI run out of many.

Usage: .venv/bin/python bench/pg_drop_stress.py --sluice .build/debug/sluice --rounds 20
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def psql(url, sql):
    p = subprocess.run(["psql", url, "-X", "-v", "ON_ERROR_STOP=1", "-Atc", sql], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"psql failed: {sql}\n{p.stderr}")
    return p.stdout.strip()


KILL = """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
          WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND datname = current_database()"""


def pipeline(work, name, table, fmt):
    text = (ROOT / "examples" / "telecom-to-postgres.yml").read_text()
    text = text.replace("name: telecom-pg", f"name: {name}").replace("table: public.telecom", f"table: {table}")
    text = text.replace("  create: true", f"  copy_format: {fmt}\n  create: true")
    text = text.replace("  header: true\n", "  header: true\n  split_size: 1MB\n")
    path = work / f"{name}.yml"
    path.write_text(text + "workers: 2\n")
    return path


def one_round(args, work, url, n, fmt, rng):
    name, table = f"stress-{fmt}-{n}", f"stress_{fmt}_{n}"
    yml = pipeline(work, name, table, fmt)
    env = dict(os.environ, DATABASE_URL=url)
    start = time.time()
    p = subprocess.Popen([args.sluice, "run", str(yml)], cwd=work, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    kills = 0
    while p.poll() is None and time.time() - start < args.timeout:
        time.sleep(args.interval * rng.uniform(0.3, 1.7))
        if p.poll() is None:
            kills += int(psql(url, KILL) or 0)
    if p.poll() is None:
        p.kill()
    _, err = p.communicate()
    took = time.time() - start
    if p.returncode < 0:
        first = next((l for l in err.splitlines() if "Fatal error" in l or "rror" in l), err.strip()[:200])
        return "crash", kills, took, f"signal {-p.returncode}: {first}"
    if p.returncode != 0:
        return "error", kills, took, err.strip().splitlines()[-1] if err.strip() else f"exit {p.returncode}"
    got = psql(url, f"""SELECT count(*), count(DISTINCT (square_id, time_interval, country_code)) FROM {table}""").split("|")
    ledger = psql(url, f"SELECT coalesce(sum(rows), 0) FROM sluice_ledger WHERE pipeline = '{name}'")
    if not (int(got[0]) == int(got[1]) == int(ledger) == args.rows):
        return "wrong", kills, took, f"rows {got[0]}, distinct {got[1]}, ledger {ledger}, want {args.rows}"
    psql(url, f"DROP TABLE {table}")
    return "ok", kills, took, ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sluice", default=str(ROOT / ".build" / "debug" / "sluice"))
    ap.add_argument("--rounds", type=int, default=20, help="loads per format")
    ap.add_argument("--rows", type=int, default=600_000)
    ap.add_argument("--interval", type=float, default=0.4, help="mean seconds between kills")
    ap.add_argument("--formats", default="text,binary")
    ap.add_argument("--timeout", type=float, default=300, help="seconds one load may take")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    args.sluice = str(Path(args.sluice).resolve())
    rng = random.Random(args.seed)

    base = Path(tempfile.mkdtemp(prefix="sluice-stress-", dir="/tmp"))
    os.chmod(base, 0o755)
    cluster = base / "pg"
    url = subprocess.run(["bash", str(ROOT / "scripts" / "pg-cluster.sh"), "start", str(cluster)],
                         check=True, capture_output=True, text=True).stdout.strip()
    try:
        subprocess.run([args.sluice, "generate", "telecom", "--rows", str(args.rows),
                        "--out", str(base / "data" / "telecom" / "telecom.csv")], check=True, capture_output=True)
        tally = {}
        for fmt in args.formats.split(","):
            for n in range(args.rounds):
                outcome, kills, took, why = one_round(args, base, url, n, fmt, rng)
                tally[(fmt, outcome)] = tally.get((fmt, outcome), 0) + 1
                print(f"{fmt} round {n + 1}: {outcome}, {kills} backends terminated, {took:.1f} s {why}", flush=True)
        print("| format | rounds | passed | crashed (signal) | gave up (error) | wrong data |")
        print("|---|---|---|---|---|---|")
        for fmt in args.formats.split(","):
            c = lambda o: tally.get((fmt, o), 0)
            print(f"| {fmt} | {args.rounds} | {c('ok')} | {c('crash')} | {c('error')} | {c('wrong')} |")
        bad = sum(v for (f, o), v in tally.items() if o in ("crash", "wrong"))
        sys.exit(1 if bad else 0)
    finally:
        subprocess.run(["bash", str(ROOT / "scripts" / "pg-cluster.sh"), "stop", str(cluster)], check=False)
        subprocess.run(["rm", "-rf", str(base)], check=False)


if __name__ == "__main__":
    main()
