"""Seeded random CSVs full of edge cases, parsed by `sluice` and by Python's csv module + float() /
int() / date.fromisoformat(), compared value by value (floats by bit pattern, so -0.0 and subnormals
count).

The generator writes quoted fields holding delimiters, doubled quotes, LF, CRLF and lone CR,
LF / CRLF / mixed line ends, empty fields (null), quoted empty fields, a BOM, other delimiters,
padded numbers, extreme and badly-rounding floats (subnormals, the largest double, exact halfway
points between two doubles written out in full, 17-25 digit mantissas, far exponents, negative
zero, inf / nan / overflow, which JSON prints as null), integers up to the int64 bounds with signs
and leading zeros, and strings that look like numbers, booleans or null markers.

Python's csv module cannot tell `""` from an empty field; for the string column (where the two
differ: '' versus null) the generator's record of which fields it left unquoted and empty decides.
"""
import csv
import datetime
import json
import math
import random
import struct
from decimal import Decimal, localcontext

import pytest

from conftest import write

COLUMNS = [("id", "int64"), ("i", "int64"), ("f", "float64"), ("g", "float64"), ("s", "string"),
           ("b", "bool"), ("d", "date")]
SCHEMA = ",".join("%s:%s" % c for c in COLUMNS)
I64_MIN, I64_MAX = -(1 << 63), (1 << 63) - 1
BOOLS = {"true": True, "false": False, "t": True, "f": False, "1": True, "0": False, "yes": True, "no": False}

SPECIAL_FLOATS = [
    "1e-320", "5e-324", "4.9406564584124654e-324", "2.4703282292062328e-324", "2.4703282292062327e-324",
    "2.2250738585072014e-308", "2.2250738585072011e-308", "2.225073858507201e-308", "4.35679586e-310",
    "1.7976931348623157e308", "1.7976931348623158e+308", "1.7976931348623157E308", "8.98846567431158e307",
    "0.30000000000000004", "0.1", "0.2", "0.3", "0.7", "-0.0", "-0", "0.0", "0", "-0e10", "0e-400",
    "9007199254740993", "9007199254740992.5", "9007199254740993.0000000000000000001", "123456789e-30",
    "1e23", "8.589973e9", "1e308", "1e-308", "7.2057594037927933e16", "4503599627370496.5",
    "4503599627370497.5", "2.0000000000000004", "1.00000000000000011102230246251565404236316680908203125",
    "1.00000000000000011102230246251565404236316680908203126", "0.000000000000000000000000000000001e33",
    "100000000000000000000000000000000000000000000000000e-50", ".5", "5.", "+.5e1", "-5.e-1", "+0.5",
    "1.7976931348623159e308", "1e400", "-1e400", "inf", "-inf", "Infinity", "nan", "NaN", "-nan",
]
STRING_PIECES = [
    "a", "hello", "Zürich", "日本", "🦆", " ", "  ", "\t", ",", ";", "|", '"', '""', "'", "\\", "\n", "\r\n", "\r",
    "123", "-0", "1e5", "0.30000000000000004", "NaN", "inf", "null", "NULL", "N/A", "true", "f", "  42  ",
    "007", "1,5", '"quoted"', "2024-02-30", "-9223372036854775809", "x\ny", "\n1,2,3,4,5,6,7\n",
    '\n9,9,"9",9,9,9,9\r\n',
]


# ---------------------------------------------------------------- value generators (text)

def gen_int(rng):
    k = rng.random()
    if k < 0.25:
        v = I64_MAX - rng.randrange(1000) if rng.random() < 0.5 else I64_MIN + rng.randrange(1000)
    elif k < 0.45:
        v = rng.randint(I64_MIN, I64_MAX)
    elif k < 0.6:
        v = rng.choice([0, 1, -1, I64_MAX, I64_MIN, 1 << 53, (1 << 53) + 1, 1 << 31, -(1 << 31) - 1, 1 << 32])
    else:
        v = rng.randint(-10 ** rng.randint(1, 18), 10 ** rng.randint(1, 18))
    s = str(abs(v))
    if rng.random() < 0.1:
        s = "0" * rng.randint(1, 6) + s
    sign = "-" if v < 0 else ("+" if rng.random() < 0.1 else "")
    if v == 0 and rng.random() < 0.2:
        sign = "-"
    return sign + s


def _halfway(rng):
    """The exact midpoint between two neighbouring doubles (or just off it), written out in full."""
    while True:
        x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(63)))[0]
        if math.isfinite(x) and x != 0.0:
            break
    if rng.random() < 0.3:  # subnormals and the smallest normals are where many parsers go wrong
        x = rng.randrange(1, 1 << 53) * 5e-324
    y = math.nextafter(x, math.inf)
    with localcontext() as ctx:
        ctx.prec = 1200
        mid = (Decimal(x) + Decimal(y)) / 2
        if rng.random() < 0.3:
            mid += (Decimal(y) - Decimal(x)) * Decimal(rng.choice(["1e-30", "-1e-30", "1e-12", "-1e-12"]))
    t = format(mid, "e") if rng.random() < 0.5 else format(mid, "f")
    return t


def _digits(rng):
    """A 1-25 digit mantissa with the point anywhere (or nowhere) and an optional exponent."""
    n = rng.choice([1, 2, 3, 5, 8, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25])
    d = "".join(rng.choice("0123456789") for _ in range(n))
    p = rng.randint(0, n)
    m = d if rng.random() < 0.3 else d[:p] + "." + d[p:]
    if m == ".":
        m = "0"
    if rng.random() < 0.7:
        e = rng.choice([rng.randint(-30, 30), rng.randint(-345, -300), rng.randint(280, 310), rng.randint(-400, 400)])
        m += rng.choice("eE") + (("+" if rng.random() < 0.3 else "") + str(e) if e >= 0 else str(e))
    return m


def gen_float(rng):
    k = rng.random()
    if k < 0.15:
        t = rng.choice(SPECIAL_FLOATS)
    elif k < 0.4:
        x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        if not math.isfinite(x):
            x = 0.1 * rng.random()
        fmt = rng.choice(["r", "%.17g", "%.16g", "%.15g", "%.20e", "%.24e", "%.3e", "%.0e", "%.25g"])
        t = repr(x) if fmt == "r" else fmt % x
    elif k < 0.55:
        t = _halfway(rng)
    elif k < 0.8:
        t = _digits(rng)
    else:  # everyday values: sums of tenths, money, telecom-like
        t = repr(rng.choice([0.1 + 0.2, 0.1 * 3, 1 / 3, 2 / 3, rng.random(), rng.uniform(-1e6, 1e6),
                             round(rng.uniform(0, 1000), 2), math.exp(rng.gauss(1, 1.2))]))
    if rng.random() < 0.3 and not t.startswith(("-", "+")):
        t = "-" + t
    return t


def gen_date(rng):
    if rng.random() < 0.2:
        return rng.choice(["2000-02-29", "1900-02-28", "2024-02-29", "0001-01-01", "9999-12-31", "1970-01-01",
                           "1969-12-31", "2100-02-28", "1600-02-29"])
    return datetime.date.fromordinal(rng.randint(1, datetime.date(9999, 12, 31).toordinal())).isoformat()


def gen_bool(rng):
    t = rng.choice(list(BOOLS))
    return "".join(c.upper() if rng.random() < 0.3 else c for c in t)


def gen_string(rng, newline_heavy=False):
    n = rng.choice([0, 1, 1, 2, 3, 4, 6])
    pieces = STRING_PIECES + (["\n", "\r\n", '"', '\n1,2,3,4,5,6,7\n', '",\n"'] * 3 if newline_heavy else [])
    return "".join(rng.choice(pieces) for _ in range(n))


GEN = {"int64": gen_int, "float64": gen_float, "string": gen_string, "bool": gen_bool, "date": gen_date}


# ---------------------------------------------------------------- writer

def make_csv(rng, rows, delim=",", newline="\n", bom=False, final_newline=True, newline_heavy=False):
    """Returns (text, number of data rows, set of (row, col) of string fields written as unquoted empty)."""
    unquoted_empty = set()
    lines = []
    header = [name for name, _ in COLUMNS]
    lines.append(delim.join(header))
    for r in range(rows):
        fields = []
        for c, (name, typ) in enumerate(COLUMNS):
            if name == "id":
                t = str(r)
            elif rng.random() < 0.08:
                t = None  # null: an unquoted empty field
            elif typ == "string":
                t = gen_string(rng, newline_heavy)
            else:
                t = GEN[typ](rng)
                if rng.random() < 0.05:
                    t = rng.choice([" ", "  ", "\t"]) + t + rng.choice(["", " ", "\t "])
            if t is None or (t == "" and typ != "string"):
                if typ == "string":
                    unquoted_empty.add((r, name))
                # a quoted empty field is also null for non-string types
                fields.append('""' if t == "" or (typ != "string" and rng.random() < 0.2) else "")
                continue
            must = any(ch in t for ch in (delim, '"', "\n", "\r")) or t == ""
            if must or rng.random() < 0.15:
                t = '"' + t.replace('"', '""') + '"'
            fields.append(t)
        lines.append(delim.join(fields))
    nl = newline
    if newline == "mixed":
        text = lines[0]
        for l in lines[1:]:
            text += rng.choice(["\n", "\r\n"]) + l
        nl = rng.choice(["\n", "\r\n"])
    else:
        text = nl.join(lines)
    if final_newline:
        text += nl
    if bom:
        text = "\ufeff" + text
    return text, rows, unquoted_empty


# ---------------------------------------------------------------- oracle + comparison

def bits(x):
    return struct.pack("<d", x)


def expected_rows(path, delim, unquoted_empty):
    """Python's csv module + float()/int()/fromisoformat(): one dict per data row."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        recs = list(csv.reader(f, delimiter=delim, quotechar='"', strict=True))
    assert recs[0] == [name for name, _ in COLUMNS]
    out = []
    for r, rec in enumerate(recs[1:]):
        assert len(rec) == len(COLUMNS), (r, rec)
        row = {}
        for (name, typ), t in zip(COLUMNS, rec):
            if typ == "string":
                row[name] = None if t == "" and (r, name) in unquoted_empty else t
                continue
            t = t.strip(" \t")
            if t == "":
                row[name] = None
            elif typ == "int64":
                v = int(t)
                assert I64_MIN <= v <= I64_MAX
                row[name] = v
            elif typ == "float64":
                v = float(t)
                row[name] = v if math.isfinite(v) else None  # JSON has no inf / nan: sluice prints null
            elif typ == "bool":
                row[name] = BOOLS[t.lower()]
            elif typ == "date":
                row[name] = datetime.date.fromisoformat(t).isoformat()
        out.append(row)
    return out, recs[1:]


def same(typ, want, got):
    if want is None or got is None:
        return want is None and got is None
    if typ == "float64":
        return isinstance(got, (int, float)) and not isinstance(got, bool) and bits(float(got)) == bits(want)
    if typ == "int64":
        return isinstance(got, int) and not isinstance(got, bool) and got == want
    if typ == "bool":
        return got is want
    return got == want


def compare(label, want, raw, got_lines, columns=None):
    """Every value of every row; `columns` (names) when only some were read, in that order."""
    names = columns or [name for name, _ in COLUMNS]
    index = {name: (c, typ) for c, (name, typ) in enumerate(COLUMNS)}
    got = [json.loads(l) for l in got_lines]
    problems = []
    if len(got) != len(want):
        problems.append("%s: %d rows from sluice, %d from Python" % (label, len(got), len(want)))
    for r, (w, g) in enumerate(zip(want, got)):
        if list(g) != names:
            problems.append("%s row %d: keys %s, expected %s" % (label, r, list(g), names))
            continue
        for name in names:
            c, typ = index[name]
            if not same(typ, w[name], g[name]):
                problems.append("%s row %d (id %s) column %s: field %r -> expected %r, got %r" % (
                    label, r, w["id"], name, raw[r][c], w[name], g[name]))
    return problems


# ---------------------------------------------------------------- tests

N_FILES = 50


def test_random_csvs_match_python_csv_value_by_value(work, sluice):
    rng = random.Random(20261122)
    problems = []
    total = 0
    for k in range(N_FILES):
        delim = rng.choice([",", ",", ",", ",", "\t", ";", "|"])
        newline = rng.choice(["\n", "\r\n", "mixed"])
        rows = rng.randint(200, 500)
        text, n, unquoted_empty = make_csv(rng, rows, delim=delim, newline=newline, bom=rng.random() < 0.1,
                                           final_newline=rng.random() < 0.8)
        path = work / ("fuzz%02d.csv" % k)
        path.write_bytes(text.encode("utf-8"))
        want, raw = expected_rows(path, delim, unquoted_empty)
        assert len(want) == n
        r = sluice("cat", "--format", "jsonl", "--on-error", "fail", "--delimiter", delim, "--schema", SCHEMA,
                   path.name, check=False)
        if r.returncode != 0:
            problems.append("%s (delimiter %r, newline %r): sluice exited %d: %s" % (
                path.name, delim, newline, r.returncode, r.stderr.strip()[:500]))
            continue
        problems += compare(path.name, want, raw, r.stdout.splitlines())
        total += n
        if k % 3 == 0:  # projection: only some columns are parsed, the others (quoted newlines too) skipped
            cols = rng.sample([name for name, _ in COLUMNS], rng.randint(1, 4))
            r = sluice("cat", "--format", "jsonl", "--on-error", "fail", "--delimiter", delim, "--schema", SCHEMA,
                       "--columns", ",".join(cols), path.name, check=False)
            if r.returncode != 0:
                problems.append("%s --columns %s: sluice exited %d: %s" % (
                    path.name, ",".join(cols), r.returncode, r.stderr.strip()[:500]))
                continue
            problems += compare("%s --columns %s" % (path.name, ",".join(cols)), want, raw, r.stdout.splitlines(), cols)
    assert not problems, "%d mismatches (files kept in %s):\n%s" % (len(problems), work, "\n".join(problems[:40]))
    assert total > 10000


@pytest.mark.parametrize("newline,select", [("\n", None), ("\r\n", None), ("\r\n", ["g", "id", "b"])],
                         ids=["lf", "crlf", "crlf-projected"])
def test_split_planner_on_quoted_newlines_keeps_every_row_in_order(work, sluice, newline, select):
    """A few MB cut into 64 KB splits read by two workers: the boundaries land inside quoted fields
    that hold newlines and whole fake records, and every row still comes out once, in order. With a
    `select`, the string column full of quotes and newlines is skipped rather than parsed."""
    rng = random.Random({"\n": 7, "\r\n": 8}[newline] + (10 if select else 0))
    text, n, unquoted_empty = make_csv(rng, 24000, newline=newline, newline_heavy=True)
    data = text.encode("utf-8")
    assert len(data) > 3 << 20
    (work / "big.csv").write_bytes(data)
    want, raw = expected_rows(work / "big.csv", ",", unquoted_empty)
    assert len(want) == n
    assert sum(1 for row in want if row["s"] and "\n" in row["s"]) > 3000
    write(work / "p.yml", """
name: splitfuzz
workers: 2
batch_rows: 1000
source:
  type: csv
  paths: [big.csv]
  delimiter: ","
  on_error: fail
  split_size: 64KB
  schema: {%s}
%ssink: {type: jsonl, path: out/big.jsonl}
""" % (", ".join("%s: %s" % c for c in COLUMNS), "transforms: [{select: [%s]}]\n" % ", ".join(select) if select else ""))
    if select:
        v = sluice("validate", "p.yml").stdout
        if "columns read:" in v:  # builds that skip unused columns say which they read
            read = v.split("columns read:")[1].splitlines()[0].split("(")[0]
            assert sorted(x.strip() for x in read.split(",")) == sorted(select), v
    r = sluice("run", "p.yml")
    assert "%d rows written" % n in r.stderr, r.stderr
    reports = list((work / ".sluice" / "splitfuzz" / "runs").glob("*/report.json"))
    assert len(reports) == 1
    rep = json.loads(reports[0].read_text())
    assert rep["splits_planned"] >= len(data) // (64 << 10) - 1, rep  # 64 KB splits, not one per file
    assert rep["splits_committed"] == rep["splits_planned"] and rep["rows_out"] == n, rep
    problems = compare("big.csv", want, raw, (work / "out" / "big.jsonl").read_text().splitlines(), select)
    assert not problems, "%d mismatches:\n%s" % (len(problems), "\n".join(problems[:40]))


def test_int64_out_of_range_is_rejected_not_wrapped(work, sluice):
    write(work / "o.csv", "a,b\n9223372036854775807,1\n9223372036854775808,2\n-9223372036854775809,3\n"
                          "-9223372036854775808,4\n99999999999999999999999,5\n")
    r = sluice("cat", "--format", "jsonl", "--schema", "a:int64,b:int64", "o.csv")
    assert [json.loads(l) for l in r.stdout.splitlines()] == [
        {"a": I64_MAX, "b": 1}, {"a": I64_MIN, "b": 4}]
    r = sluice("cat", "--format", "jsonl", "--on-error", "fail", "--schema", "a:int64,b:int64", "o.csv", check=False)
    assert r.returncode != 0
