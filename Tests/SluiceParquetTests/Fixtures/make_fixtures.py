#!/usr/bin/env python3
"""Generates the pyarrow-written Parquet fixtures and the expected values the Swift tests compare
against. Run from anywhere with a Python that has pyarrow:

    .venv/bin/python Tests/SluiceParquetTests/Fixtures/make_fixtures.py

Outputs (all committed):
  pyarrow/*.parquet            one file per codec x page version x encoding combination
  pyarrow/expected.json        the values of every column of the shared table
  pyarrow/lists_*.parquet      lists of primitives, seeds of the fuzz tests
  expected/<corpus>.json       pyarrow's reading of each file in parquet-testing/
Every value is stored as text (see `encode`), so that the comparison is exact for every type.
"""
import decimal
import json
import math
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS = 150


def encode(arrow_type, v):
    """One value as text: ints, dates (days) and timestamps (count of the unit) as integers,
    floats as repr, decimals in fixed notation, binary as hex, strings as themselves."""
    if v is None:
        return None
    t = arrow_type
    if pa.types.is_boolean(t):
        return "true" if v else "false"
    if pa.types.is_integer(t):
        return str(int(v))
    if pa.types.is_floating(t):
        return repr(float(v))
    if pa.types.is_decimal(t):
        return format(v, "f")
    if pa.types.is_binary(t) or pa.types.is_fixed_size_binary(t) or pa.types.is_large_binary(t):
        return v.hex()
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return v
    raise TypeError(f"no encoding for {t}")


def json_element(t, v):
    """A list element as Sluice writes it into a list column's JSON text: numbers as numbers
    (NaN and infinities as null), dates and timestamps as ISO-8601 strings."""
    if v is None:
        return None
    if pa.types.is_floating(t):
        return float(v) if math.isfinite(v) else None
    if pa.types.is_date32(t):
        return v.isoformat()
    if pa.types.is_boolean(t) or pa.types.is_integer(t) or pa.types.is_string(t):
        return v
    raise TypeError(f"no list element encoding for {t}")


def is_primitive_list(t):
    return pa.types.is_list(t) and not pa.types.is_nested(t.value_type)


def column_values(col):
    t = col.type
    if pa.types.is_dictionary(t):
        col = col.cast(t.value_type)
        t = t.value_type
    if pa.types.is_timestamp(t) or pa.types.is_date32(t):
        ints = col.cast(pa.int64() if pa.types.is_timestamp(t) else pa.int32())
        return str(t), [None if x is None else str(x) for x in ints.to_pylist()]
    return str(t), [encode(t, x) for x in col.to_pylist()]


def table_expectation(table):
    cols = []
    for name in table.column_names:
        col = table.column(name)
        t = col.type
        if is_primitive_list(t):
            # Compared as JSON values, not text: the lists are read as JSON text.
            values = [None if x is None else json.dumps([json_element(t.value_type, e) for e in x])
                      for x in col.to_pylist()]
            cols.append({"name": name, "type": str(t), "list": True, "values": values})
            continue
        if pa.types.is_nested(t):
            cols.append({"name": name, "type": str(t), "nested": True})
            continue
        ts, values = column_values(col.combine_chunks())
        cols.append({"name": name, "type": ts, "values": values})
    return {"rows": table.num_rows, "columns": cols}


def shared_table():
    import random
    rng = random.Random(42)
    n = ROWS

    def maybe(v, i, every=7):
        return None if i % every == 3 else v

    words = ["alpha", "beta", "gamma", "δέλτα", "", "epsilon with spaces", "ζ", "eta", "theta\u00a0nbsp"]
    data = {
        "b": [maybe(i % 3 == 0, i) for i in range(n)],
        "b_req": [i % 5 < 2 for i in range(n)],
        "i8": [maybe(rng.randint(-128, 127), i) for i in range(n)],
        "i16": [maybe(rng.randint(-32768, 32767), i) for i in range(n)],
        "i32": [maybe(rng.randint(-2**31, 2**31 - 1), i) for i in range(n)],
        "i32_req": [i * 7 - 500 for i in range(n)],
        "i64": [maybe(rng.randint(-2**63, 2**63 - 1), i) for i in range(n)],
        "u8": [maybe(rng.randint(0, 255), i) for i in range(n)],
        "u16": [maybe(rng.randint(0, 65535), i) for i in range(n)],
        "u32": [maybe(rng.randint(0, 2**32 - 1), i) for i in range(n)],
        "u64": [maybe(rng.randint(0, 2**63 - 1), i) for i in range(n)],
        "f32": [maybe(rng.uniform(-1e6, 1e6), i) for i in range(n)],
        "f64": [maybe(rng.uniform(-1e300, 1e300) if i % 11 else rng.random(), i) for i in range(n)],
        "s": [maybe(words[rng.randint(0, len(words) - 1)], i, 5) for i in range(n)],
        "s_unique": [maybe(f"row-{i:05d}-" + "x" * (i % 13), i) for i in range(n)],
        "bin": [maybe(bytes([i % 256, (i * 7) % 256, 0, 255]), i) for i in range(n)],
        "fixed4": [maybe(bytes([(i * 3) % 256, 1, 2, i % 256]), i) for i in range(n)],
        "d": [maybe(rng.randint(-30000, 30000), i) for i in range(n)],
        "ts_ms": [maybe(rng.randint(-2**40, 2**41), i) for i in range(n)],
        "ts_us": [maybe(rng.randint(-2**50, 2**51), i) for i in range(n)],
        "ts_ns": [maybe(rng.randint(-2**62, 2**62), i) for i in range(n)],
        "dec9": [maybe(decimal.Decimal(rng.randint(-10**9 + 1, 10**9 - 1)).scaleb(-2), i) for i in range(n)],
        "dec18": [maybe(decimal.Decimal(rng.randint(-10**18 + 1, 10**18 - 1)).scaleb(-4), i) for i in range(n)],
        "dec30": [maybe(decimal.Decimal(rng.randint(-10**30 + 1, 10**30 - 1)).scaleb(-6), i) for i in range(n)],
        "all_null": [None] * n,
    }
    schema = pa.schema([
        pa.field("b", pa.bool_()),
        pa.field("b_req", pa.bool_(), nullable=False),
        pa.field("i8", pa.int8()),
        pa.field("i16", pa.int16()),
        pa.field("i32", pa.int32()),
        pa.field("i32_req", pa.int32(), nullable=False),
        pa.field("i64", pa.int64()),
        pa.field("u8", pa.uint8()),
        pa.field("u16", pa.uint16()),
        pa.field("u32", pa.uint32()),
        pa.field("u64", pa.uint64()),
        pa.field("f32", pa.float32()),
        pa.field("f64", pa.float64()),
        pa.field("s", pa.string()),
        pa.field("s_unique", pa.string()),
        pa.field("bin", pa.binary()),
        pa.field("fixed4", pa.binary(4)),
        pa.field("d", pa.date32()),
        pa.field("ts_ms", pa.timestamp("ms", tz="UTC")),
        pa.field("ts_us", pa.timestamp("us", tz="UTC")),
        pa.field("ts_ns", pa.timestamp("ns")),
        pa.field("dec9", pa.decimal128(9, 2)),
        pa.field("dec18", pa.decimal128(18, 4)),
        pa.field("dec30", pa.decimal128(30, 6)),
        pa.field("all_null", pa.int32()),
    ])
    return pa.table(data, schema=schema)


def write_matrix(table):
    out = os.path.join(HERE, "pyarrow")
    os.makedirs(out, exist_ok=True)
    files = []
    for codec in ["none", "snappy", "gzip", "zstd", "lz4"]:
        for version in ["1.0", "2.0"]:
            for dictionary in [True, False]:
                name = f"{codec}_v{version[0]}_{'dict' if dictionary else 'plain'}.parquet"
                pq.write_table(
                    table, os.path.join(out, name), compression=codec, data_page_version=version,
                    use_dictionary=dictionary, row_group_size=100, data_page_size=1024,
                    write_page_checksum=True, store_decimal_as_integer=(codec == "zstd"))
                files.append(name)
    delta_cols = {c: "DELTA_BINARY_PACKED" for c in ["i8", "i16", "i32", "i32_req", "i64", "u8", "u16", "u32", "u64", "d", "ts_ms", "ts_us", "ts_ns"]}
    for version in ["1.0", "2.0"]:
        enc = dict(delta_cols)
        enc.update({"s": "DELTA_LENGTH_BYTE_ARRAY", "s_unique": "DELTA_BYTE_ARRAY", "bin": "DELTA_BYTE_ARRAY",
                    "f32": "BYTE_STREAM_SPLIT", "f64": "BYTE_STREAM_SPLIT", "fixed4": "BYTE_STREAM_SPLIT",
                    "b": "RLE", "b_req": "RLE"})
        name = f"encodings_v{version[0]}.parquet"
        pq.write_table(table, os.path.join(out, name), compression="zstd", data_page_version=version,
                       use_dictionary=False, column_encoding=enc, row_group_size=120, data_page_size=700,
                       store_decimal_as_integer=True)
        files.append(name)
    name = "int96.parquet"
    pq.write_table(table.select(["ts_ns", "i32"]), os.path.join(out, name), use_deprecated_int96_timestamps=True,
                   compression="snappy")
    files.append(name)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"files": files, "table": table_expectation(table)}, f, ensure_ascii=False, separators=(",", ":"))


def write_empty_row_groups():
    """pyarrow writes a zero-row row group with data_page_offset 0 (only a dictionary page):
    one file that is nothing else, one with empty groups between full ones."""
    out = os.path.join(HERE, "pyarrow")
    schema = pa.schema([("a", pa.int64()), ("s", pa.string())])
    empty = pa.table({"a": pa.array([], pa.int64()), "s": pa.array([], pa.string())}, schema=schema)
    pq.write_table(empty, os.path.join(out, "empty.parquet"))
    with pq.ParquetWriter(os.path.join(out, "empty_row_groups.parquet"), schema) as w:
        w.write_table(pa.table({"a": [1, 2], "s": ["x", None]}, schema=schema))
        w.write_table(empty)
        w.write_table(pa.table({"a": [3], "s": ["z"]}, schema=schema))
        w.write_table(empty)


def write_list_fixtures():
    """Lists of primitives with null lists, empty lists and null elements over small pages, for
    the fuzz tests: dictionary-encoded v1 pages and plain v2 pages."""
    out = os.path.join(HERE, "pyarrow")
    rows = 300
    ints = [None if i % 7 == 3 else [None if (i + k) % 5 == 2 else i * 10 + k for k in range(i % 6)] for i in range(rows)]
    words = [None if i % 11 == 4 else [["a", "bb", None, "é\"q"][(i + k) % 4] for k in range(i % 4)] for i in range(rows)]
    table = pa.table({"xs": pa.array(ints, pa.list_(pa.int64())), "ws": pa.array(words, pa.list_(pa.string()))})
    for name, version, dictionary in [("lists_v1_dict", "1.0", True), ("lists_v2_plain", "2.0", False)]:
        pq.write_table(table, os.path.join(out, name + ".parquet"), data_page_version=version, use_dictionary=dictionary,
                       row_group_size=120, data_page_size=256, write_batch_size=32, compression="snappy")


def corpus_expectations():
    src = os.path.join(HERE, "parquet-testing")
    out = os.path.join(HERE, "expected")
    os.makedirs(out, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if not name.endswith(".parquet"):
            continue
        try:
            table = pq.read_table(os.path.join(src, name))
        except Exception as e:  # pyarrow rejects it: the Swift reader must reject it too
            exp = {"error": str(e)}
        else:
            exp = table_expectation(table)
        with open(os.path.join(out, name.replace(".parquet", ".json")), "w") as f:
            json.dump(exp, f, ensure_ascii=False, separators=(",", ":"))


if __name__ == "__main__":
    write_matrix(shared_table())
    write_empty_row_groups()
    write_list_fixtures()
    corpus_expectations()
    print("fixtures written under", HERE, file=sys.stderr)
