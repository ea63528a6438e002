#!/usr/bin/env python3
"""Reads Parquet files written by Sluice's tests with pyarrow and DuckDB and prints, per file, the
values pyarrow sees (encoded as make_fixtures.encode does), the Arrow types and nullability it
reports, and every value on which DuckDB disagrees with pyarrow.

    python read_with_pyarrow.py FILE...   → JSON object keyed by file path on stdout
"""
import json
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq

sys.dont_write_bytecode = True  # keep __pycache__ out of the fixtures folder
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import encode, table_expectation  # noqa: E402


def duckdb_disagreements(path, table):
    try:
        import duckdb
    except ImportError:
        return None
    con = duckdb.connect()
    con.execute("SET threads = 1")  # a single-threaded scan keeps file order
    exprs = []
    for field in table.schema:
        q = '"' + field.name.replace('"', '""') + '"'
        t = field.type
        if pa.types.is_timestamp(t):
            exprs.append({"ms": "epoch_ms", "us": "epoch_us", "ns": "epoch_ns", "s": "epoch"}[t.unit] + f"({q})")
        elif pa.types.is_date32(t):
            exprs.append(f"({q} - DATE '1970-01-01')")
        else:
            exprs.append(q)
    escaped = path.replace("'", "''")
    rows = con.execute(f"SELECT {', '.join(exprs)} FROM read_parquet('{escaped}')").fetchall()
    expected = table_expectation(table)["columns"]
    problems = []
    if len(rows) != table.num_rows:
        return [f"duckdb read {len(rows)} rows, pyarrow {table.num_rows}"]
    for c, (field, exp) in enumerate(zip(table.schema, expected)):
        t = field.type
        for r, row in enumerate(rows):
            v = row[c]
            if v is None:
                got = None
            elif pa.types.is_timestamp(t) or pa.types.is_date32(t):
                got = str(int(v))
            else:
                got = encode(t, v)
            if got != exp["values"][r]:
                problems.append(f"{field.name}[{r}]: duckdb {got!r}, pyarrow {exp['values'][r]!r}")
                break
    return problems


def statistics_disagreements(path, table):
    """Every row-group statistic (min, max, null count) that pyarrow decodes from the footer and
    that differs from the row group's actual values: readers skip row groups by these."""
    import pyarrow.compute as pc
    meta = pq.ParquetFile(path).metadata
    problems = []
    start = 0
    for g in range(meta.num_row_groups):
        rg = meta.row_group(g)
        for c in range(rg.num_columns):
            col = rg.column(c)
            name = col.path_in_schema
            data = table.column(name).slice(start, rg.num_rows)
            st = col.statistics
            if st is None:
                problems.append(f"{name} row group {g}: no statistics")
                continue
            if st.null_count != data.null_count:
                problems.append(f"{name} row group {g}: null_count {st.null_count}, actual {data.null_count}")
            temporal = pa.types.is_timestamp(data.type) or pa.types.is_date32(data.type)
            st_min, st_max = None, None
            if st.has_min_max:
                # Temporal bounds as stored integers: nanosecond bounds do not fit Python datetimes.
                st_min, st_max = (st.min_raw, st.max_raw) if temporal else (st.min, st.max)
            if pa.types.is_floating(data.type):
                data = pc.filter(data, pc.invert(pc.is_nan(data)))
            elif temporal:
                data = data.cast(pa.int64() if pa.types.is_timestamp(data.type) else pa.int32())
            mm = pc.min_max(data)
            lo, hi = mm["min"].as_py(), mm["max"].as_py()
            if lo is None:
                if st.has_min_max:
                    problems.append(f"{name} row group {g}: min/max set for a column without values")
                continue
            if not st.has_min_max or st_min != lo or st_max != hi:
                problems.append(f"{name} row group {g}: stats {st_min!r}..{st_max!r}, actual {lo!r}..{hi!r}")
        start += rg.num_rows
    return problems


def main(paths):
    out = {}
    for path in paths:
        table = pq.read_table(path)
        exp = table_expectation(table)
        exp["fields"] = [{"name": f.name, "type": str(f.type), "nullable": f.nullable} for f in table.schema]
        exp["duckdb"] = duckdb_disagreements(path, table)
        exp["statistics"] = statistics_disagreements(path, table)
        out[path] = exp
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1:])
