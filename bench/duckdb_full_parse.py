#!/usr/bin/env python3
"""DuckDB anchor for the full typed parse: count and sum all 8 telecom columns of a CSV.

usage: bench/duckdb_full_parse.py FILE.csv THREADS   (best of 2 runs)"""
import sys
import time

import duckdb

path, threads = sys.argv[1], int(sys.argv[2])
con = duckdb.connect()
con.execute(f"SET threads={threads}")
cols = ("{'square_id':'INTEGER','time_interval':'BIGINT','country_code':'INTEGER','sms_in':'DOUBLE',"
        "'sms_out':'DOUBLE','call_in':'DOUBLE','call_out':'DOUBLE','internet':'DOUBLE'}")
best = float("inf")
for _ in range(2):
    t0 = time.time()
    r = con.execute(f"""SELECT count(*), sum(square_id), sum(time_interval), sum(country_code), sum(sms_in),
        sum(sms_out), sum(call_in), sum(call_out), sum(internet)
        FROM read_csv('{path}', header=true, columns={cols})""").fetchone()
    best = min(best, time.time() - t0)
print(f"duckdb {duckdb.__version__} threads={threads}: {best:.2f} s, {r[0] / best / 1e6:.2f}M rows/s, "
      f"rows={r[0]}, sum(internet)={r[8]!r}")
