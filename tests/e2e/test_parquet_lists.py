"""Parquet lists of primitives, read as JSON text: every row of every list column, as `sluice cat
--format jsonl` prints it, parsed with json.loads and compared with pyarrow's to_pylist(), across
element types, nulls at each level, empty lists, pages, row groups, dictionary and plain
encodings, data page v1 and v2, and snappy/zstd; then every list-of-primitives file of the
parquet-testing corpus. Structs, maps and lists of lists stay "unsupported" when selected."""
import datetime
import json
import math
import pathlib

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROWS = 2_500
GROUP = 1_000  # three row groups
UTC = datetime.timezone.utc
# The whole conformance corpus beside the repository when there is one, else the repository's
# copy of part of it (a clean clone on CI has only that).
_SHARED = pathlib.Path(__file__).resolve().parents[2] / ".." / "shared" / "parquet-testing"
_VENDORED = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "SluiceParquetTests" / "Fixtures" / "parquet-testing"
CORPUS = _SHARED if _SHARED.is_dir() else _VENDORED
WORDS = ["", "a", "é\"q\\", "tab\tnl\n", "lo" * 20, "zz"]


def element_value(i, k, kind):
    """The k-th element of row i; None every 9th element."""
    if (i + k) % 9 == 4:
        return None
    v = i * 31 + k * 7
    return {
        "i32": lambda: v % 20_001 - 10_000,
        "i64": lambda: v * 1_000_000_007 - 2**40,
        "f64": lambda: [v / 3, -0.0, 1e-300, float("nan"), float("inf"), 2.5][k % 6] if k < 6 else v / 7,
        "str": lambda: WORDS[v % len(WORDS)],
        "bool": lambda: v % 3 == 0,
        "date": lambda: datetime.date(1969, 12, 25) + datetime.timedelta(days=v % 20_000),
        "ts_us": lambda: datetime.datetime(1999, 12, 31, 23, 59, tzinfo=UTC) + datetime.timedelta(microseconds=v * 12_345_679),
        "ts_ms": lambda: datetime.datetime(2024, 2, 29) + datetime.timedelta(milliseconds=v * 997),
    }[kind]()


TYPES = {"i32": pa.int32(), "i64": pa.int64(), "f64": pa.float64(), "str": pa.string(), "bool": pa.bool_(),
         "date": pa.date32(), "ts_us": pa.timestamp("us", tz="UTC"), "ts_ms": pa.timestamp("ms")}


def list_rows(kind, rows=ROWS):
    """Null lists every 7th row, empty lists every 5th, lengths 1..12 otherwise (a few long)."""
    out = []
    for i in range(rows):
        if i % 7 == 3:
            out.append(None)
        elif i % 5 == 1:
            out.append([])
        else:
            n = 40 if i % 97 == 0 else 1 + (i * 13) % 12
            out.append([element_value(i, k, kind) for k in range(n)])
    return out


def lists_table(rows=ROWS):
    cols = {"id": pa.array(range(rows), pa.int64())}
    for kind, t in TYPES.items():
        cols[f"l_{kind}"] = pa.array(list_rows(kind, rows), pa.list_(t))
    # Required list of required elements: no null list, no null element.
    req = pa.array([[i, i + 1][: i % 3] for i in range(rows)], pa.list_(pa.field("element", pa.int32(), nullable=False)))
    schema = pa.schema([pa.field(n, c.type) for n, c in cols.items()] + [pa.field("l_req", req.type, nullable=False)])
    return pa.table(list(cols.values()) + [req], schema=schema)


def sluice_text(v):
    """A pyarrow element as Sluice writes it into the JSON text."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, datetime.datetime):
        frac = f"{v.microsecond:06d}".rstrip("0")
        return v.strftime("%Y-%m-%dT%H:%M:%S") + ("." + frac if frac else "") + "Z"
    if isinstance(v, datetime.date):
        return v.isoformat()
    return v


def expected_rows(table, name):
    return [None if x is None else [sluice_text(e) for e in x] for x in table.column(name).to_pylist()]


def cat_lists(sluice, path, columns, lists=None):
    """`sluice cat --format jsonl` of `columns`, by column; the `lists` (default: all) parsed from
    their JSON text."""
    r = sluice("cat", "--format", "jsonl", "--columns", ",".join(columns), str(path))
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    parse = set(columns if lists is None else lists)
    return {c: [row[c] if row[c] is None or c not in parse else json.loads(row[c]) for row in rows] for c in columns}


def assert_lists_equal(got, want, label):
    assert len(got) == len(want), label
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"{label} row {i}: sluice {g!r} != pyarrow {w!r}"


@pytest.mark.parametrize("compression", ["snappy", "zstd"])
@pytest.mark.parametrize("page_version", ["1.0", "2.0"])
@pytest.mark.parametrize("dictionary", [True, False])
def test_lists_of_primitives_match_pyarrow(work, sluice, compression, page_version, dictionary):
    table = lists_table()
    path = work / f"lists_{compression}_{page_version}_{dictionary}.parquet"
    pq.write_table(table, path, compression=compression, data_page_version=page_version, use_dictionary=dictionary,
                   row_group_size=GROUP, data_page_size=2048, write_batch_size=100)
    meta = pq.ParquetFile(path).metadata
    assert meta.num_row_groups == 3
    chunk = meta.row_group(0).column(1)  # l_i32's element leaf
    assert ("RLE_DICTIONARY" in chunk.encodings) == dictionary
    assert meta.row_group(0).column(3).total_uncompressed_size > 4 * 2048  # l_f64 spans several pages
    lists = [n for n in table.column_names if n.startswith("l_")]
    read = cat_lists(sluice, path, lists)
    for name in lists:
        want = expected_rows(pq.read_table(path, columns=[name]), name)
        assert_lists_equal(read[name], want, name)
    # Spot values, so a formatting change cannot hide behind a symmetric bug.
    assert read["l_i32"][1] == [] and read["l_i32"][3] is None and read["l_req"][0] == []
    assert read["l_f64"][0][:6] == [0.0, -0.0, 1e-300, None, None, 2.5]


def test_pages_split_lists_and_cat_prints_raw_json_text(work, sluice):
    # One long list per row, pages of ~1 KiB: pages end inside and between lists.
    rows = [[k * (i + 1) for k in range(700 + i * 50)] if i != 2 else None for i in range(8)]
    t = pa.table({"xs": pa.array(rows, pa.list_(pa.int64()))})
    for version in ["1.0", "2.0"]:
        path = work / f"long_{version}.parquet"
        pq.write_table(t, path, data_page_version=version, data_page_size=1024, write_batch_size=64, use_dictionary=False)
        assert pq.ParquetFile(path).metadata.row_group(0).num_rows == 8
        r = sluice("cat", "--format", "jsonl", str(path))
        lines = [json.loads(line) for line in r.stdout.splitlines()]
        assert lines[2] == {"xs": None}
        assert lines[0]["xs"] == "[" + ",".join(str(k) for k in range(700)) + "]"  # compact JSON, no spaces
        assert [None if x["xs"] is None else json.loads(x["xs"]) for x in lines] == rows


def test_inspect_shows_lists_as_json_strings(work, sluice):
    t = pa.table({"xs": pa.array([[1, None], None, []], pa.list_(pa.int32())),
                  "ss": pa.array([["a"], ["b", "c"], None], pa.list_(pa.string()))})
    pq.write_table(t, work / "l.parquet")
    cols = {c["name"]: c for c in json.loads(sluice("inspect", "--json", "l.parquet").stdout)["files"][0]["columns"]}
    assert (cols["xs"]["type"], cols["xs"]["list_element"], cols["xs"]["unsupported"]) == ("string", "int32", None)
    assert (cols["ss"]["type"], cols["ss"]["list_element"], cols["ss"]["logical"]) == ("string", "string", "LIST")
    text = sluice("inspect", "l.parquet").stdout
    assert "string (list<int32> as JSON)" in text and "string (list<string> as JSON)" in text


def test_other_nested_columns_stay_unsupported(work, sluice):
    t = pa.table({
        "id": pa.array([1, 2], pa.int32()),
        "ll": pa.array([[[1], [2, 3]], None], pa.list_(pa.list_(pa.int32()))),
        "ls": pa.array([[{"x": 1}], []], pa.list_(pa.struct([("x", pa.int32())]))),
        "m": pa.array([[("k", 1)], None], pa.map_(pa.string(), pa.int32())),
        "xs": pa.array([[1.5], None], pa.list_(pa.float64())),
    })
    pq.write_table(t, work / "n.parquet")
    cols = {c["name"]: c for c in json.loads(sluice("inspect", "--json", "n.parquet").stdout)["files"][0]["columns"]}
    assert cols["ll"]["unsupported"] == "nested list of lists"
    assert cols["ls"]["unsupported"] == "nested list of structs"
    assert cols["m"]["unsupported"] == "nested map"
    r = sluice("cat", "--format", "jsonl", "n.parquet")
    assert [json.loads(line) for line in r.stdout.splitlines()] == [{"id": 1, "xs": "[1.5]"}, {"id": 2, "xs": None}]
    for col, kind in [("ll", "list of lists"), ("ls", "list of structs"), ("m", "map")]:
        r = sluice("cat", "--columns", f"id,{col}", "n.parquet", check=False)
        assert r.returncode == 1
        assert r.stderr.strip() == f"error: n.parquet: column '{col}': unsupported column {col} ({kind}): the core has no nested types yet"


def corpus_list_files():
    """Every corpus file pyarrow reads whose columns are all flat or lists of primitives and that
    has at least one list."""
    out = []
    for path in sorted(CORPUS.glob("*.parquet")):
        try:
            schema = pq.read_schema(path)
        except Exception:
            continue
        types = [f.type for f in schema]
        lists = [f.name for f in schema if pa.types.is_list(f.type) and not pa.types.is_nested(f.type.value_type)]
        if lists and all(not pa.types.is_nested(t) or f in lists for f, t in zip(schema.names, types)):
            out.append((path.name, lists))
    return out


def test_corpus_has_list_files():
    assert ("datapage_v2.snappy.parquet", ["e"]) in corpus_list_files()


@pytest.mark.parametrize("name,lists", corpus_list_files())
def test_corpus_lists_match_pyarrow(sluice, name, lists):
    path = CORPUS / name
    table = pq.read_table(path)
    read = cat_lists(sluice, path, table.column_names, lists)
    for c in table.column_names:
        if c in lists:
            assert_lists_equal(read[c], expected_rows(table, c), f"{name}:{c}")
        else:
            assert len(read[c]) == table.num_rows
