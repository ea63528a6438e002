"""Parquet files in the file commands: `sluice inspect` against pyarrow's footer metadata,
`inspect --stats` against DuckDB, `--columns` projection, `cat` against pyarrow's values, globs,
a 1M-row file, and clear errors for corrupt, non-Parquet and nested input."""
import datetime
import decimal
import json

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROWS = 50_000
GROUP = 12_000  # 4 full row groups and one of 2,000 rows
NAMES = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"]


def mixed_table(rows=ROWS, start=0):
    """Several types, nulls in most columns, a low-cardinality (dictionary) string column and a
    high-cardinality one."""
    r = range(start, start + rows)
    base = datetime.datetime(2024, 3, 1, tzinfo=datetime.timezone.utc)
    return pa.table({
        "i32": pa.array([None if i % 7 == 0 else (i * 37) % 10_007 - 5_000 for i in r], pa.int32()),
        "i64": pa.array([i * 1_000_003 for i in r], pa.int64()),
        "f64": pa.array([None if i % 11 == 0 else i / 8 - 1_000.5 for i in r], pa.float64()),
        "f32": pa.array([(i % 1000) / 4 for i in r], pa.float32()),
        "s": pa.array([None if i % 13 == 0 else NAMES[i % len(NAMES)] for i in r], pa.string()),
        "hs": pa.array([f"user_{i * 7919 % 1_000_003:07d}" for i in r], pa.string()),
        "d": pa.array([datetime.date(2020, 1, 1) + datetime.timedelta(days=i % 1500) for i in r], pa.date32()),
        "ts": pa.array([None if i % 17 == 0 else base + datetime.timedelta(seconds=i * 61) for i in r], pa.timestamp("us", tz="UTC")),
        "b": pa.array([None if i % 19 == 0 else i % 3 == 0 for i in r], pa.bool_()),
        "dec": pa.array([decimal.Decimal(i % 100_000) / 100 for i in r], pa.decimal128(9, 2)),
    })


SLUICE_TYPES = {"i32": "int32", "i64": "int64", "f64": "float64", "f32": "float32", "s": "dictionary",
                "hs": "string", "d": "date", "ts": "timestamp", "b": "bool", "dec": "float64"}
NUMERIC = ["i32", "i64", "f64", "f32"]


@pytest.fixture(params=["snappy", "zstd"])
def mixed(request, work):
    path = work / f"mixed_{request.param}.parquet"
    # Dictionary encoding only where it pays: the low-cardinality string column.
    pq.write_table(mixed_table(), path, compression=request.param, row_group_size=GROUP, use_dictionary=["s"])
    return path, request.param


def inspect_json(sluice, *args):
    return json.loads(sluice("inspect", "--json", *args).stdout)


def as_json_value(v):
    """A pyarrow statistics bound as `sluice inspect --json` prints it."""
    if isinstance(v, datetime.datetime):
        return v.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # whole seconds here
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return float(v)
    return v


def test_inspect_matches_pyarrow_metadata(work, sluice, mixed):
    path, codec = mixed
    md = pq.ParquetFile(path).metadata
    j = inspect_json(sluice, path)
    assert j["format"] == "parquet" and j["rows"] == ROWS
    [f] = j["files"]
    assert f["rows"] == md.num_rows == ROWS
    assert f["created_by"] == md.created_by
    assert [(c["name"], c["type"]) for c in f["columns"]] == list(SLUICE_TYPES.items())
    cols = {c["name"]: c for c in f["columns"]}
    assert (cols["i64"]["physical"], cols["i64"]["logical"], cols["i64"]["repetition"]) == ("INT64", None, "optional")
    assert (cols["s"]["physical"], cols["s"]["logical"]) == ("BYTE_ARRAY", "STRING")
    assert (cols["d"]["physical"], cols["d"]["logical"]) == ("INT32", "DATE")
    assert (cols["ts"]["physical"], cols["ts"]["logical"]) == ("INT64", "TIMESTAMP(MICROS, UTC)")
    assert (cols["dec"]["physical"], cols["dec"]["logical"]) == ("FIXED_LEN_BYTE_ARRAY(4)", "DECIMAL(9,2)")
    assert len(f["row_groups"]) == md.num_row_groups == 5
    for g, rg in enumerate(f["row_groups"]):
        want = md.row_group(g)
        assert rg["index"] == g and rg["rows"] == want.num_rows == (GROUP if g < 4 else ROWS - 4 * GROUP)
        assert rg["compressed_bytes"] == sum(want.column(k).total_compressed_size for k in range(want.num_columns))
        assert len(rg["columns"]) == want.num_columns == len(SLUICE_TYPES)
        for k, chunk in enumerate(rg["columns"]):
            c = want.column(k)
            assert chunk["column"] == c.path_in_schema
            assert chunk["codec"] == c.compression == codec.upper()
            assert sorted(chunk["encodings"]) == sorted(c.encodings), (chunk, c.encodings)
            assert chunk["compressed_bytes"] == c.total_compressed_size
            assert chunk["uncompressed_bytes"] == c.total_uncompressed_size
            assert chunk["values"] == c.num_values
            st = c.statistics
            assert st is not None and st.has_min_max
            assert chunk["null_count"] == st.null_count, (chunk["column"], g)
            assert chunk["min"] == as_json_value(st.min), (chunk["column"], g, chunk["min"], st.min)
            assert chunk["max"] == as_json_value(st.max), (chunk["column"], g, chunk["max"], st.max)
    assert "RLE_DICTIONARY" in f["row_groups"][0]["columns"][4]["encodings"]
    assert "RLE_DICTIONARY" not in f["row_groups"][0]["columns"][5]["encodings"]


def test_inspect_text_shows_schema_row_groups_and_chunks(work, sluice, mixed):
    path, codec = mixed
    out = sluice("inspect", "--rows", 3, path).stdout
    assert f"rows: {ROWS} in 5 row groups" in out
    assert "row group 4: 2000 rows" in out
    schema = out.split("schema:")[1].split("row group 0")[0]
    row = {l.split()[0]: l.split() for l in schema.splitlines()[3:] if l.strip()}
    assert row["ts"] == ["ts", "timestamp", "INT64", "TIMESTAMP(MICROS,", "UTC)", "optional"]
    assert row["s"] == ["s", "dictionary", "BYTE_ARRAY", "STRING", "optional"]
    group0 = out.split("row group 0:")[1].split("row group 1:")[0].splitlines()
    chunk = {l.split()[0]: l.split() for l in group0[3:] if l.strip()}
    c = pq.ParquetFile(path).metadata.row_group(0).column(1)
    assert chunk["i64"][1] == codec.upper()
    assert chunk["i64"][3:8] == [str(c.total_compressed_size), str(c.total_uncompressed_size), "0", str(c.statistics.min), str(c.statistics.max)]
    first = out.split("first 3 rows:")[1].splitlines()
    assert first[1].split() == list(SLUICE_TYPES)
    assert first[4].split()[:2] == ["null", "0"]  # row 0: i32 is null, i64 = 0


def duckdb_stats(path, col):
    total = f"sum({col})" if col in NUMERIC + ["b"] else "NULL"
    # Timestamps with a time zone would need pytz in Python: compare them as epoch microseconds.
    value = f"epoch_us({col})" if col == "ts" else col
    return duckdb.connect().execute(
        f"SELECT count({col}), count(*) - count({col}), min({value}), max({value}), {total} FROM read_parquet('{path}')").fetchone()


def epoch_us(text):
    t = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    return int(t.timestamp()) * 1_000_000


def check_stats_against_duckdb(path, stats, columns):
    by = {e["column"]: e for e in stats}
    assert list(by) == columns
    for col in columns:
        cnt, nulls, mn, mx, sm = duckdb_stats(path, col)
        e = by[col]
        assert (e["count"], e["nulls"]) == (cnt, nulls), (col, e)
        if col in ("i32", "i64"):
            assert (e["min"], e["max"], e["sum"]) == (mn, mx, sm), (col, e)
        elif col in ("f64", "f32"):
            assert (e["min"], e["max"]) == (mn, mx), (col, e)
            assert abs(e["sum"] - sm) <= 1e-12 * abs(sm), (col, e, sm)
        elif col in ("s", "hs"):
            assert (e["min"], e["max"]) == (mn, mx), (col, e)
        elif col == "d":
            assert (e["min"], e["max"]) == (mn.isoformat(), mx.isoformat()), (col, e)
        elif col == "ts":
            assert (epoch_us(e["min"]), epoch_us(e["max"])) == (mn, mx), (col, e)
        elif col == "b":
            assert (e["min"], e["max"], e["sum"]) == (mn, mx, sm), (col, e)
        elif col == "dec":
            assert (e["min"], e["max"]) == (float(mn), float(mx)), (col, e)


def test_inspect_stats_match_duckdb(work, sluice, mixed):
    path, _ = mixed
    j = inspect_json(sluice, "--stats", "--rows", 0, path)
    assert j["rows_read"] == ROWS
    check_stats_against_duckdb(path, j["statistics"], list(SLUICE_TYPES))
    # Every value was read: the bytes are all the column chunks of the file.
    md = pq.ParquetFile(path).metadata
    assert j["bytes_read"] == sum(md.row_group(g).column(k).total_compressed_size
                                  for g in range(md.num_row_groups) for k in range(md.num_columns))
    # The text output carries the same numbers.
    out = sluice("inspect", "--stats", "--rows", 0, "--workers", 1, path).stdout
    lines = {l.split()[0]: l.split() for l in out.split("statistics:")[1].splitlines()[2:] if l.strip()}
    e = {x["column"]: x for x in j["statistics"]}
    assert lines["i64"] == ["i64", "int64", str(ROWS), "0", "0", str(e["i64"]["max"]), str(e["i64"]["sum"])]
    assert lines["s"][:4] == ["s", "dictionary", str(e["s"]["count"]), str(e["s"]["nulls"])]


def test_workers_do_not_change_the_statistics(work, sluice, mixed):
    path, _ = mixed
    one = inspect_json(sluice, "--stats", "--rows", 0, "--workers", 1, path)["statistics"]
    three = inspect_json(sluice, "--stats", "--rows", 0, "--workers", 3, path)["statistics"]
    for a, b in zip(one, three):
        if a["type"] in ("float64", "float32"):
            assert abs(a["sum"] - b["sum"]) <= 1e-12 * abs(a["sum"]), (a, b)
            a, b = dict(a, sum=0), dict(b, sum=0)
        assert a == b


def test_columns_reads_only_those_chunks(work, sluice, mixed):
    path, _ = mixed
    j = inspect_json(sluice, "--stats", "--rows", 0, "--columns", "f64,i64", path)
    check_stats_against_duckdb(path, j["statistics"], ["i64", "f64"])  # file order
    md = pq.ParquetFile(path).metadata
    assert j["bytes_read"] == sum(md.row_group(g).column(k).total_compressed_size
                                  for g in range(md.num_row_groups) for k in (1, 2))
    assert [c["column"] for c in j["files"][0]["row_groups"][0]["columns"]] == ["i64", "f64"]
    r = sluice("inspect", "--columns", "nope", path, check=False)
    assert r.returncode == 1 and "unknown column 'nope'" in r.stderr


def pyarrow_rows(path, columns=None, limit=None):
    t = pq.read_table(path, columns=columns)
    if limit is not None:
        t = t.slice(0, limit)
    return t.to_pylist()


def test_cat_prints_the_values(work, sluice, mixed):
    path, _ = mixed
    want = pyarrow_rows(path, ["s", "i64", "f64", "d", "i32", "hs"], 40)
    r = sluice("cat", "--format", "jsonl", "--rows", 40, "--columns", "s,i64,f64,d,i32,hs", path)
    got = [json.loads(l) for l in r.stdout.splitlines()]
    assert [list(g) for g in got[:1]] == [["s", "i64", "f64", "d", "i32", "hs"]]
    assert got == [dict(w, d=w["d"].isoformat()) for w in want]
    # CSV over a row-group boundary: rows 11,990..12,010 of the whole file, every column.
    r = sluice("cat", "--format", "csv", "--limit", 12_010, path)
    lines = r.stdout.splitlines()
    assert lines[0] == ",".join(SLUICE_TYPES) and len(lines) == 12_011
    t = pq.read_table(path).slice(11_990, 20).to_pylist()
    for line, w in zip(lines[11_991:], t):
        f = line.split(",")
        assert int(f[1]) == w["i64"] and f[5] == w["hs"]
        assert (f[4] or None) == w["s"] and (f[0] or None) == (None if w["i32"] is None else str(w["i32"]))
        assert (float(f[2]) if f[2] else None) == w["f64"]
        assert f[6] == w["d"].isoformat()
        assert f[9] and float(f[9]) == float(w["dec"])
    r = sluice("cat", "--rows", 3, path)
    lines = r.stdout.splitlines()  # names, types, rule, three rows
    assert len(lines) == 6 and lines[1].split() == list(SLUICE_TYPES.values())
    assert lines[4].split() == ["-4963", "1000003", "-1000.375", "0.25", "bravo", "user_0007919", "2020-01-02",
                                "2024-03-01T00:01:01Z", "false", "0.01"]


def test_glob_of_several_files(work, sluice):
    (work / "parts").mkdir()
    pq.write_table(mixed_table(30_000), work / "parts" / "a.parquet", compression="zstd", row_group_size=10_000)
    pq.write_table(mixed_table(20_000, start=30_000), work / "parts" / "b.parquet", compression="snappy",
                   row_group_size=10_000, use_dictionary=False)
    j = inspect_json(sluice, "--stats", "--rows", 0, "parts/*.parquet")
    assert j["rows"] == j["rows_read"] == 50_000
    assert [len(f["row_groups"]) for f in j["files"]] == [3, 2]
    glob = f"{work}/parts/*.parquet"
    check_stats_against_duckdb(glob, j["statistics"], list(SLUICE_TYPES))
    # One file keeps `s` dictionary-encoded, the other does not: read as plain strings.
    assert {e["column"]: e["type"] for e in j["statistics"]}["s"] == "string"
    r = sluice("cat", "--format", "jsonl", "--columns", "i64", "parts/*.parquet")
    assert [json.loads(l)["i64"] for l in r.stdout.splitlines()] == [i * 1_000_003 for i in range(50_000)]


def test_million_rows(work, sluice):
    n = 1_000_000
    import pyarrow.compute as pc
    idx = pa.array(range(n), pa.int64())
    t = pa.table({
        "square_id": pc.cast(pc.add(pc.bit_wise_and(idx, 8191), 1), pa.int32()),
        "time_interval": pc.add(pc.multiply(idx, 600_000), 1_383_260_400_000),
        "country_code": pa.array([None if i % 101 == 0 else 39 + i % 50 for i in range(n)], pa.int32()),
        "sms_in": pc.divide(pc.cast(pc.bit_wise_and(pc.multiply(idx, 2654435761), 65535), pa.float64()), 1000.0),
        "internet": pa.array([None if i % 7 == 0 else i * 0.001 for i in range(n)], pa.float64()),
    })
    pq.write_table(t, work / "big.parquet", compression="zstd", row_group_size=125_000)
    j = inspect_json(sluice, "--stats", "--rows", 0, "big.parquet")
    assert j["rows_read"] == n and len(j["files"][0]["row_groups"]) == 8
    by = {e["column"]: e for e in j["statistics"]}
    con = duckdb.connect()
    for col in t.column_names:
        cnt, sm = con.execute(f"SELECT count({col}), sum({col}) FROM read_parquet('{work}/big.parquet')").fetchone()
        assert by[col]["count"] == cnt and by[col]["nulls"] == n - cnt
        if col in ("sms_in", "internet"):
            assert abs(by[col]["sum"] - sm) <= 1e-12 * abs(sm), (col, by[col], sm)
        else:
            assert by[col]["sum"] == sm, (col, by[col], sm)
    r = sluice("cat", "--format", "jsonl", "--rows", 3, "--columns", "time_interval,internet", "big.parquet")
    assert [json.loads(l) for l in r.stdout.splitlines()] == [
        {"time_interval": 1_383_260_400_000, "internet": None},
        {"time_interval": 1_383_261_000_000, "internet": 0.001},
        {"time_interval": 1_383_261_600_000, "internet": 0.002}]


def test_nested_columns_are_reported_only_when_selected(work, sluice):
    t = pa.table({
        "id": pa.array([1, 2, 3], pa.int64()),
        "tags": pa.array([["a"], [], ["b", "c"]], pa.list_(pa.string())),
        "pt": pa.array([{"x": 1, "y": 2}, {"x": 3, "y": 4}, None], pa.struct([("x", pa.int32()), ("y", pa.int32())])),
        "name": pa.array(["p", None, "r"], pa.string()),
    })
    pq.write_table(t, work / "nested.parquet")
    j = inspect_json(sluice, "--stats", "nested.parquet")
    cols = {c["name"]: c for c in j["files"][0]["columns"]}
    # A list of primitives reads as its JSON text; a struct stays unsupported.
    assert (cols["tags"]["type"], cols["tags"]["list_element"], cols["tags"]["unsupported"]) == ("string", "string", None)
    assert cols["pt"]["unsupported"] == "nested struct" and cols["id"]["type"] == "int64"
    assert [c["column"] for c in j["files"][0]["row_groups"][0]["columns"]] == ["id", "tags.list.element", "pt.x", "pt.y", "name"]
    assert [e["column"] for e in j["statistics"]] == ["id", "tags", "name"]
    text = sluice("inspect", "nested.parquet").stdout
    assert "unsupported (nested struct)" in text and "string (list<string> as JSON)" in text
    r = sluice("cat", "--format", "jsonl", "nested.parquet")
    assert [json.loads(l) for l in r.stdout.splitlines()] == [
        {"id": 1, "tags": '["a"]', "name": "p"}, {"id": 2, "tags": "[]", "name": None}, {"id": 3, "tags": '["b","c"]', "name": "r"}]
    assert "not printing pt" in r.stderr
    r = sluice("cat", "--format", "jsonl", "--columns", "id,tags", "nested.parquet")
    assert [json.loads(json.loads(l)["tags"]) for l in r.stdout.splitlines()] == t.column("tags").to_pylist()
    r = sluice("cat", "--columns", "id,pt", "nested.parquet", check=False)
    assert r.returncode == 1
    assert r.stderr.strip() == "error: nested.parquet: column 'pt': unsupported column pt (nested struct): the core has no nested types yet"


def test_corrupt_and_non_parquet_files_are_clear_errors(work, sluice, mixed):
    path, codec = mixed
    (work / "text.parquet").write_text("a,b\n1,2\n3,4\n5,6\n")
    r = sluice("inspect", "text.parquet", check=False)
    assert r.returncode == 1 and r.stderr == "error: text.parquet: not a Parquet file: it does not start with PAR1\n"
    (work / "empty.parquet").write_bytes(b"")
    r = sluice("cat", "empty.parquet", check=False)
    assert r.returncode == 1 and "empty.parquet: not a Parquet file" in r.stderr
    data = path.read_bytes()
    (work / "cut.parquet").write_bytes(data[: len(data) // 2])
    r = sluice("inspect", "--stats", "cut.parquet", check=False)
    assert r.returncode == 1 and r.stderr == "error: cut.parquet: not a Parquet file or truncated: it does not end with PAR1\n"
    bad_footer = bytearray(data)
    flen = int.from_bytes(data[-8:-4], "little")
    for i in range(len(data) - 8 - flen, len(data) - 8 - flen + 40):
        bad_footer[i] = 0xFF
    (work / "footer.parquet").write_bytes(bytes(bad_footer))
    r = sluice("inspect", "footer.parquet", check=False)
    assert r.returncode == 1 and r.stderr.startswith("error: footer.parquet: ") and "Traceback" not in r.stderr
    # Damage the middle of column f64 of row group 2: the read fails naming file, column and row
    # group. Page checksums make that certain: without them a damaged zstd stream can decode into
    # wrong values that no reader can tell apart (pyarrow included).
    pq.write_table(mixed_table(), work / "crc.parquet", compression=codec, row_group_size=GROUP, use_dictionary=["s"],
                   write_page_checksum=True)
    data = (work / "crc.parquet").read_bytes()
    c = pq.ParquetFile(work / "crc.parquet").metadata.row_group(2).column(2)
    assert not c.has_dictionary_page
    mid = c.data_page_offset + c.total_compressed_size // 2
    damaged = bytearray(data)
    for i in range(mid, mid + 64):
        damaged[i] ^= 0x5A
    (work / "page.parquet").write_bytes(bytes(damaged))
    r = sluice("inspect", "--stats", "--rows", 0, "page.parquet", check=False)
    assert r.returncode == 1, r.stdout
    assert r.stderr.startswith("error: page.parquet: column 'f64': row group 2: "), r.stderr
    # Columns that are intact still read.
    r = sluice("inspect", "--stats", "--rows", 0, "--columns", "i64", "page.parquet")
    assert "statistics:" in r.stdout
    r = sluice("cat", "--delimiter", "tab", path, check=False)
    assert r.returncode != 0 and "--delimiter applies to CSV input" in r.stderr


def test_empty_file(work, sluice):
    # pyarrow writes one row group of 0 rows whose chunks have a data page offset of 0.
    pq.write_table(pa.table({"a": pa.array([], pa.int64()), "s": pa.array([], pa.string())}), work / "empty.parquet")
    j = inspect_json(sluice, "--stats", "empty.parquet")
    assert j["rows"] == j["rows_read"] == 0 and [g["rows"] for g in j["files"][0]["row_groups"]] == [0]
    assert [(e["column"], e["count"], e["nulls"], e["sum"]) for e in j["statistics"]] == [("a", 0, 0, None), ("s", 0, 0, None)]
    r = sluice("cat", "--format", "jsonl", "empty.parquet")
    assert r.stdout == "" and r.stderr == ""
