"""A CSV with every RFC 4180 edge case loads the good rows exactly and rejects each bad one with
its line number, column and reason."""
import json
import sqlite3

from conftest import write

# Line numbers are physical lines; the quoted newline makes record 3 span lines 4-5.
CSV = (
    "\ufeffid,name,amount,day,flag\r\n"                 # 1: BOM + CRLF header
    "1,plain,1.5,2024-01-01,true\r\n"                   # 2
    "2,\"with, comma\",2.25,2024-01-02,false\r\n"       # 3
    "3,\"multi\nline\",3,2024-01-03,t\r\n"              # 4-5
    "4,\"say \"\"hi\"\"\",-4.75,2024-02-29,f\n"         # 6: doubled quotes, LF
    "\n"                                                # 7: empty line, skipped
    "5,,,,\n"                                           # 8: empty fields -> nulls
    "6,\"\",6e2,2024-03-01,1\n"                         # 9: quoted empty string is '' not null
    "7,bad amount,abc,2024-03-02,true\n"                # 10: unparsable float -> reject
    "8,too,many,fields,here,extra\n"                    # 11: field count -> reject
    "9,too few\n"                                       # 12: field count -> reject
    "10,bad date,1,2024-02-30,true\n"                   # 13: invalid date -> reject
    "11,last,1e-320,2024-12-31,no"                      # 14: no trailing newline, subnormal
)

PIPELINE = """
name: edge
source:
  type: csv
  paths: [edge.csv]
  schema: {id: int64, name: string, amount: float64, day: date, flag: bool}
sink: {type: sqlite, path: out/edge.sqlite, table: edge}
dead_letter: out/rejects.jsonl
"""


def test_edge_cases_load_and_reject_by_line(work, sluice):
    write(work / "edge.csv", CSV)
    write(work / "edge.yml", PIPELINE)
    r = sluice("run", "edge.yml")
    assert "7 rows written" in r.stderr and "4 rejected" in r.stderr, r.stderr
    rows = sqlite3.connect(work / "out" / "edge.sqlite").execute(
        "SELECT id, name, amount, day, flag FROM edge ORDER BY id").fetchall()
    assert rows == [
        (1, "plain", 1.5, "2024-01-01", 1),
        (2, "with, comma", 2.25, "2024-01-02", 0),
        (3, "multi\nline", 3.0, "2024-01-03", 1),
        (4, 'say "hi"', -4.75, "2024-02-29", 0),
        (5, None, None, None, None),
        (6, "", 600.0, "2024-03-01", 1),
        (11, "last", 1e-320, "2024-12-31", 0),
    ]
    rejects = [json.loads(l) for l in (work / "out" / "rejects.jsonl").read_text().splitlines()]
    got = [(x["line"], x["rule"], x["column"]) for x in rejects]
    assert got == [(10, "type", "amount"), (11, "field_count", None), (12, "field_count", None), (13, "type", "day")], rejects
    assert all(x["file"].endswith("edge.csv") and x["stage"] == "parse" for x in rejects)
    assert rejects[0]["values"]["amount"] == "abc" and rejects[0]["values"]["name"] == "bad amount"
    assert "abc" in rejects[0]["reason"] and "float64" in rejects[0]["reason"]
    assert "expected 5" in rejects[1]["reason"]


def test_fail_policy_stops_with_file_and_line(work, sluice):
    write(work / "edge.csv", CSV)
    write(work / "edge.yml", PIPELINE.replace("paths: [edge.csv]", "paths: [edge.csv]\n  on_error: fail"))
    r = sluice("run", "edge.yml", check=False)
    assert r.returncode != 0
    assert "edge.csv:10" in r.stderr and "amount" in r.stderr, r.stderr


def test_gzip_and_tab_delimited_input(work, sluice):
    import gzip
    data = "a\tb\n1\tx y\n2\t\"q\tq\"\n3\t\n"
    (work / "t.tsv.gz").write_bytes(gzip.compress(data.encode()))
    write(work / "t.yml", """
name: tsv
source: {type: csv, paths: ["*.tsv.gz"], delimiter: tab}
sink: {type: jsonl, path: out/t.jsonl}
""")
    sluice("run", "t.yml")
    got = [json.loads(l) for l in (work / "out" / "t.jsonl").read_text().splitlines()]
    assert got == [{"a": 1, "b": "x y"}, {"a": 2, "b": "q\tq"}, {"a": 3, "b": None}]
