"""The one-shot commands: inspect --stats against DuckDB, cat, convert round trips, generate."""
import json
import sqlite3

import duckdb
import pytest

from conftest import write


def test_inspect_stats_match_duckdb(work, sluice):
    sluice("generate", "telecom", "--rows", 200000, "--out", "t.csv")
    r = sluice("inspect", "--stats", "--schema",
               "square_id:int32,time_interval:int64,country_code:int32,sms_in:float64,sms_out:float64,call_in:float64,call_out:float64,internet:float64",
               "t.csv")
    assert "rows: 200000" in r.stdout, r.stdout
    lines = {l.split()[0]: l.split() for l in r.stdout.split("statistics:")[1].split("first")[0].splitlines()[2:] if l.strip()}
    con = duckdb.connect()
    for col in ["square_id", "sms_in", "internet"]:
        cnt, nulls, mn, mx, sm = con.execute(
            f"SELECT count({col}), count(*) - count({col}), min({col}), max({col}), sum({col}) FROM read_csv('{work}/t.csv', header=true)").fetchone()
        parts = lines[col]
        assert int(parts[2]) == cnt and int(parts[3]) == nulls, (col, parts)
        assert float(parts[4]) == mn and float(parts[5]) == mx, (col, parts)
        assert abs(float(parts[6]) - sm) <= 1e-9 * abs(sm), (col, parts, sm)


def test_cat_formats_and_columns(work, sluice):
    write(work / "a.csv", "x,y,z\n1,hello,2024-01-02\n2,\"a,b\",\n")
    r = sluice("cat", "--format", "jsonl", "a.csv")
    assert [json.loads(l) for l in r.stdout.splitlines()] == [
        {"x": 1, "y": "hello", "z": "2024-01-02"}, {"x": 2, "y": "a,b", "z": None}]
    r = sluice("cat", "--format", "csv", "--columns", "y,x", "a.csv")
    assert r.stdout == 'y,x\nhello,1\n"a,b",2\n'
    r = sluice("cat", "a.csv")
    assert "int64" in r.stdout and "hello" in r.stdout
    r = sluice("cat", "--columns", "nope", "a.csv", check=False)
    assert r.returncode != 0 and "unknown column 'nope'" in r.stderr


def test_convert_round_trips(work, sluice):
    sluice("generate", "events", "--rows", 3000, "--out", "e.csv")
    sluice("convert", "e.csv", "out/e.jsonl")
    sluice("convert", "e.csv", "out/e.sqlite#events")
    sluice("convert", "e.csv", "out/e.tsv")
    sluice("convert", "out/e.tsv", "out/e2.csv")
    con = duckdb.connect()
    want = con.execute(f"SELECT count(*), sum(price), count(DISTINCT event_id) FROM read_csv('{work}/e.csv', header=true)").fetchone()
    j = con.execute(f"SELECT count(*), sum(price), count(DISTINCT event_id) FROM read_json('{work}/out/e.jsonl')").fetchone()
    s = sqlite3.connect(work / "out/e.sqlite").execute("SELECT count(*), sum(price), count(DISTINCT event_id) FROM events").fetchone()
    c = con.execute(f"SELECT count(*), sum(price), count(DISTINCT event_id) FROM read_csv('{work}/out/e2.csv', header=true)").fetchone()
    for got in (j, s, c):
        assert got[0] == want[0] == 3000 and got[2] == want[2]
        assert abs(got[1] - want[1]) < 1e-6
    # names with commas survive the CSV round trip exactly
    a = con.execute(f"SELECT list(product_name ORDER BY event_id) FROM read_csv('{work}/e.csv', header=true)").fetchone()[0]
    b = con.execute(f"SELECT list(product_name ORDER BY event_id) FROM read_csv('{work}/out/e2.csv', header=true)").fetchone()[0]
    assert a == b


def test_generate_is_deterministic(work, sluice):
    sluice("generate", "telecom", "--rows", 5000, "--out", "a.csv", "--seed", 7)
    sluice("generate", "telecom", "--rows", 5000, "--out", "b.csv", "--seed", 7)
    sluice("generate", "telecom", "--rows", 5000, "--out", "c.csv", "--seed", 8)
    assert (work / "a.csv").read_bytes() == (work / "b.csv").read_bytes() != (work / "c.csv").read_bytes()


def test_version_and_help(work, sluice):
    assert sluice("--version").stdout.strip() == "0.1.0"
    h = sluice("run", "--help").stdout
    assert "--full-refresh" in h and "dead-letter" in h


HELP_COMMANDS = [[], ["run"], ["validate"], ["inspect"], ["cat"], ["convert"], ["generate"], ["generate", "telecom"],
                 ["generate", "events"], ["generate", "ocp"], ["serve-mock"], ["load"], ["worker"], ["report"], ["replay"]]


@pytest.mark.parametrize("command", HELP_COMMANDS, ids=lambda c: " ".join(c) or "sluice")
def test_help_prose_wraps_as_paragraphs(work, sluice, command):
    """Hard line breaks inside a paragraph of --help text leave a few words on a line of their
    own once the parser wraps it to 79 columns. Within a paragraph, a line may only end where
    the next word would not have fitted on it."""
    text = sluice(*command, "--help").stdout
    lines = text.split("USAGE:")[0].splitlines()
    for a, b in zip(lines, lines[1:]):
        prose = a and b and not a.startswith(" ") and not b.startswith(" ")
        if prose and not a.endswith(":") and not b.endswith(":"):
            assert len(a) + 1 + len(b.split()[0]) > 79, f"ragged help line in 'sluice {' '.join(command)} --help': {a!r} then {b!r}"
    assert all(len(l) <= 79 for l in lines), [l for l in lines if len(l) > 79]


def test_incremental_folder_reads_only_new_files(work, sluice):
    write(work / "in/a.csv", "k,v\n1,10\n2,20\n")
    write(work / "p.yml", "name: inc\nsource: {type: csv, paths: ['in/*.csv']}\nsink: {type: csv, path: out/all.csv}\n")
    r = sluice("run", "p.yml")
    assert "2 rows written" in r.stderr
    write(work / "in/b.csv", "k,v\n3,30\n")
    r = sluice("run", "p.yml")
    assert "1 rows written" in r.stderr and "1 unchanged files" in r.stderr, r.stderr
    assert (work / "out/all.csv").read_text() == "k,v\n1,10\n2,20\n3,30\n"


def test_inspect_integer_sum_is_exact_beyond_int64(work, sluice):
    write(work / "big.csv", "a\n9000000000000000000\n9000000000000000000\n-5\n")
    r = sluice("inspect", "--stats", "big.csv")
    assert "17999999999999999995" in r.stdout, r.stdout


@pytest.mark.parametrize("workers", [1, 2])
def test_csv_to_csv_writes_the_same_text_back(work, sluice, workers):
    """The generator writes the shortest text of every float, as the CSV writer does: a telecom
    file converted to CSV comes back byte for byte, nulls and integers of every length included."""
    sluice("generate", "telecom", "--rows", 300000, "--out", "t.csv", "--seed", 3)
    sluice("convert", "--workers", workers, "t.csv", "out/t.csv")
    assert (work / "out/t.csv").read_bytes() == (work / "t.csv").read_bytes()


def test_csv_writer_extreme_values_read_back_exactly(work, sluice):
    """Integers of every digit count up to the Int64 limits and floats at the edges of the double
    range: each value written reads back (Python's int and float) as the value read."""
    ints = [0, -1, 7, 10, -99, 12345678, 99999999, 100000000, -100000001, 1234567890123456,
            9999999999999999, 10000000000000000, 123456789012345678, 9223372036854775807,
            -9223372036854775808]
    floats = ["1e-320", "5e-324", "1.7976931348623157e308", "0.1", "0.30000000000000004", "123456.789",
              "1e16", "12345678901234567", "1e17", "-2.5e-5", "0.000123", "99999999.5", "1e22", "-0.0", ""]
    rows = [f"{i},{f}" for i, f in zip(ints, floats)]
    write(work / "x.csv", "i,f\n" + "\n".join(rows) + "\n")
    sluice("convert", "--schema", "i:int64,f:float64", "x.csv", "out/x.csv")
    got = (work / "out/x.csv").read_text().splitlines()
    assert got[0] == "i,f" and len(got) == len(rows) + 1
    for line, i, f in zip(got[1:], ints, floats):
        a, b = line.split(",")
        assert int(a) == i, line
        assert (b == "") if f == "" else (float(b) == float(f) and str(float(b)) == str(float(f))), line


def test_convert_to_dev_null(work, sluice):
    write(work / "a.csv", "x\n1\n2\n")
    r = sluice("convert", "a.csv", "/dev/null", "--to", "csv")
    assert "2 rows written" in r.stderr
