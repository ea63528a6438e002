#!/usr/bin/env python3
"""Offers events to a watched folder at a fixed rate, the careful way: each file is complete
before it appears (its mtime is set to now, then it is renamed into the folder), so the
streaming run's end-to-end latency is measured from the moment the file is complete.

The events come from files made beforehand by `sluice generate events --batches N --events K`
(no CPU spent formatting rows while feeding). Example, 10,000 events/s for 60 s:
  sluice generate events --batches 600 --events 1000 --invalid-rate 0.05 --out /tmp/pool
  scripts/stream-feeder.py --pool /tmp/pool --to incoming --files-per-second 10 --duration 60
"""
import argparse
import os
import sys
import time
from pathlib import Path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pool", required=True, help="folder of prepared CSV files (moved, not copied)")
    ap.add_argument("--to", required=True, help="the watched folder")
    ap.add_argument("--files-per-second", type=float, default=10)
    ap.add_argument("--duration", type=float, default=60)
    a = ap.parse_args()
    pool = sorted(Path(a.pool).glob("*.csv"))
    need = int(a.files_per_second * a.duration)
    if len(pool) < need:
        sys.exit(f"the pool has {len(pool)} files, {need} are needed")
    Path(a.to).mkdir(parents=True, exist_ok=True)
    start = time.time()
    late = 0
    for k, f in enumerate(pool[:need]):
        due = start + k / a.files_per_second
        wait = due - time.time()
        if wait > 0:
            time.sleep(wait)
        else:
            late += 1
        os.utime(f)  # complete now
        os.rename(f, Path(a.to) / f.name)
    took = time.time() - start
    print(f"fed {need} files in {took:.1f} s ({need / took:.1f} files/s, {late} late)", file=sys.stderr)


if __name__ == "__main__":
    main()
