"""`sluice inspect --stats` on a 300k-row telecom file agrees with DuckDB on the same file: row
count, and per column the non-null count, null count, min, max (exactly) and sum (integers
exactly, floats within 1e-12 relative), with an explicit schema and with inferred types."""
import duckdb
import pytest

ROWS = 300_000
INTS = {"square_id": ("int32", "INTEGER"), "time_interval": ("int64", "BIGINT"), "country_code": ("int32", "INTEGER")}
FLOATS = ["sms_in", "sms_out", "call_in", "call_out", "internet"]
COLS = list(INTS) + FLOATS


def parse_stats(out):
    """The statistics table -> {column: (type, count, nulls, min, max, sum)}, numbers as int or float."""
    def num(t):
        return int(t) if t.lstrip("-").isdigit() else float(t)
    assert "statistics:" in out, out
    lines = out.split("statistics:")[1].strip("\n").splitlines()
    assert lines[0].split()[:7] == ["column", "type", "count", "nulls", "min", "max", "sum"], lines[0]
    stats = {}
    for l in lines[2:]:
        f = l.split()
        if len(f) < 4 or not f[2].isdigit():
            break
        stats[f[0]] = (f[1], int(f[2]), int(f[3])) + tuple(num(x) for x in f[4:7])
    return stats


def rows_line(out):
    for l in out.splitlines():
        if l.startswith("rows:"):
            return int(l.split(":")[1])
    raise AssertionError(out)


@pytest.mark.parametrize("typed", [True, False], ids=["schema", "inferred"])
def test_inspect_stats_equal_duckdb(work, sluice, typed):
    sluice("generate", "telecom", "--rows", ROWS, "--out", "t.csv", "--seed", 42)
    telecom = work / "t.csv"
    args = ["inspect", "--stats", "--rows", 0]
    if typed:
        args += ["--schema", ",".join(["%s:%s" % (c, t[0]) for c, t in INTS.items()] + ["%s:float64" % c for c in FLOATS])]
        cols = ", ".join(["'%s': '%s'" % (c, t[1]) for c, t in INTS.items()] + ["'%s': 'DOUBLE'" % c for c in FLOATS])
        src = "read_csv('%s', header=true, delim=',', columns={%s})" % (telecom, cols)
    else:
        src = "read_csv('%s', header=true)" % telecom
    r = sluice(*args, telecom)
    got = parse_stats(r.stdout)
    assert set(got) == set(COLS), r.stdout

    con = duckdb.connect()
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM %s)" % src).fetchall())
    n = con.execute("SELECT count(*) FROM %s" % src).fetchone()[0]
    assert n == ROWS and rows_line(r.stdout) == n, r.stdout
    q = ", ".join("count({0}), count(*) - count({0}), min({0}), max({0}), sum({0})".format(c) for c in COLS)
    want = con.execute("SELECT %s FROM %s" % (q, src)).fetchone()

    problems = []
    for k, c in enumerate(COLS):
        typ, cnt, nulls, mn, mx, sm = got[c]
        dcnt, dnulls, dmn, dmx, dsm = want[5 * k: 5 * k + 5]
        if c in INTS:
            assert typ in ("int32", "int64"), (c, typ)
            assert types[c] in ("INTEGER", "BIGINT"), (c, types[c])
            ok = (cnt, nulls, mn, mx, sm) == (dcnt, dnulls, dmn, dmx, int(dsm)) and all(isinstance(x, int) for x in (mn, mx, sm))
        else:
            assert typ == "float64" and types[c] == "DOUBLE", (c, typ, types[c])
            ok = (cnt, nulls) == (dcnt, dnulls) and float(mn) == dmn and float(mx) == dmx \
                and abs(float(sm) - dsm) <= 1e-12 * abs(dsm)
        if not ok:
            problems.append("%s: sluice %s, DuckDB %s" % (c, (cnt, nulls, mn, mx, sm), (dcnt, dnulls, dmn, dmx, dsm)))
    assert not problems, "\n".join(problems) + "\n" + r.stdout
