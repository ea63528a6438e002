"""dedup and join transforms through `sluice run`, checked row by row."""
import csv

from conftest import write


def test_dedup_keeps_first_row_of_each_key_and_join_adds_lookup_columns(sluice, work):
    rows = [("e1", "u1", 10), ("e2", "u2", 20), ("e1", "u1", 99), ("e3", "u9", 30), ("e2", "u2", 98), ("e4", "u1", 40)]
    write(work / "in/events.csv", "event_id,user_id,amount\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows))
    write(work / "in/users.csv", "user_id,country\nu1,IT\nu2,FR\n")
    write(work / "p.yml", """
name: dedup-join
source: {type: csv, path: in/events.csv}
transforms:
  - dedup: [event_id]
  - join:
      lookup: {source: {type: csv, path: in/users.csv}}
      on: [user_id]
      columns: [country]
      kind: left
sink: {type: csv, path: out/events.csv}
""")
    sluice("run", "p.yml")
    with open(work / "out/events.csv") as f:
        got = list(csv.DictReader(f))
    assert [(r["event_id"], r["user_id"], r["amount"], r["country"]) for r in got] == [
        ("e1", "u1", "10", "IT"), ("e2", "u2", "20", "FR"), ("e3", "u9", "30", ""), ("e4", "u1", "40", "IT"),
    ]


def test_inner_join_drops_unmatched_and_bad_key_is_a_located_error(sluice, work):
    write(work / "in/events.csv", "event_id,user_id\ne1,u1\ne2,u9\n")
    write(work / "in/users.csv", "user_id,country\nu1,IT\n")
    write(work / "p.yml", """
name: inner
source: {type: csv, path: in/events.csv}
transforms:
  - join:
      lookup: {source: {type: csv, path: in/users.csv}}
      on: {user_id: user_id}
      columns: {nation: country}
      kind: inner
sink: {type: csv, path: out/e.csv}
""")
    sluice("run", "p.yml")
    assert (work / "out/e.csv").read_text() == "event_id,user_id,nation\ne1,u1,IT\n"
    write(work / "bad.yml", (work / "p.yml").read_text().replace("on: {user_id: user_id}", "on: {usr_id: user_id}"))
    p = sluice("validate", "bad.yml", check=False)
    assert p.returncode == 1 and "bad.yml:" in p.stderr and "usr_id" in p.stderr, p.stderr
