"""Validation: every injected defect is caught with its reason, every valid row is loaded once."""
import csv
import json
import shutil
import sqlite3
from collections import Counter

from conftest import ROOT

EXPECTED_RULE = {
    "bad_uuid": {("validate", "uuid"), ("validate", "required")},
    "missing_field": {("validate", "required")},
    "negative_price": {("validate", "min")},
    "unknown_event_type": {("validate", "in")},
    "bad_timestamp": {("parse", "type")},
}


def test_labelled_defects_all_go_to_dead_letter(work, sluice):
    sluice("generate", "events", "--rows", 20000, "--invalid-rate", 0.1, "--labels", "--out", "data/events/events.csv")
    text = (ROOT / "examples" / "events-validate.yml").read_text()
    text = text.replace("    event_timestamp: timestamp(ms)\n", "    event_timestamp: timestamp(ms)\n    _defect: string\n")
    (work / "events.yml").write_text(text)
    r = sluice("run", "events.yml")

    with open(work / "data/events/events.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    defects = Counter(r["_defect"] for r in rows)
    invalid = sum(v for k, v in defects.items() if k)
    # a bad_uuid can be a prefix that still looks... no: a truncated uuid never matches 8-4-4-4-12
    assert 1500 <= invalid <= 2500, defects

    dead = [json.loads(l) for l in (work / "out/dead-letter/events.jsonl").read_text().splitlines()]
    assert len(dead) == invalid
    by_line = {d["line"]: d for d in dead}
    for line_no, row in enumerate(rows, start=2):
        d = by_line.get(line_no)
        if row["_defect"]:
            assert d is not None, (line_no, row)
            assert (d["stage"], d["rule"]) in EXPECTED_RULE[row["_defect"]], (row, d)
            assert d["values"]["event_id"] == (row["event_id"] or None)
            assert d["reason"]
        else:
            assert d is None, (line_no, row, d)

    db = sqlite3.connect(work / "out/events.sqlite")
    valid_ids = {r["event_id"] for r in rows if not r["_defect"]}
    got = db.execute("SELECT count(*), count(DISTINCT event_id), round(sum(price), 2) FROM user_events").fetchone()
    assert got[0] == got[1] == len(valid_ids)
    assert abs(got[2] - round(sum(float(r["price"]) for r in rows if not r["_defect"]), 2)) < 0.01
    assert f"{len(valid_ids)} rows written" in r.stderr and f"{invalid} rejected" in r.stderr

    # rerun with --full-refresh: same content, dead letter rewritten, not appended
    sluice("run", "events.yml", "--full-refresh")
    assert db.execute("SELECT count(*) FROM user_events").fetchone()[0] == len(valid_ids)
    assert len((work / "out/dead-letter/events.jsonl").read_text().splitlines()) == invalid
