"""Streaming ingestion from a watched folder into PostgreSQL: micro-batches with --once and while
watching, exact validation counts against the generator's `_defect` labels, dead-letter replay,
per-batch metrics, the run report with its SVG charts, and the Prometheus endpoint."""
import csv
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from conftest import ROOT

EXPECTED_RULE = {
    "bad_uuid": {("validate", "uuid"), ("validate", "required")},
    "missing_field": {("validate", "required")},
    "negative_price": {("validate", "min")},
    "unknown_event_type": {("validate", "in")},
    "bad_timestamp": {("parse", "type")},
}
SVG = "{http://www.w3.org/2000/svg}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def psql(url, sql):
    p = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atc", sql], capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError(f"psql failed: {sql}\n{p.stderr}")
    return p.stdout.strip()


def pipeline(work, name, table, watch="", extra=""):
    """The example pipeline with the generator's `_defect` label kept as a column, so that each
    committed row and each dead letter says whether the generator made it invalid."""
    text = (ROOT / "examples" / "events-streaming.yml").read_text()
    text = text.replace("name: events-stream", f"name: {name}").replace("table: public.user_events", f"table: {table}")
    text = text.replace("    event_timestamp: timestamp(ms)\n", "    event_timestamp: timestamp(ms)\n    _defect: string\n")
    if watch:
        start = text.index("  watch:\n")
        end = text.index("  schema:\n")
        text = text[:start] + watch + text[end:]
    (work / "events.yml").write_text(text + extra)
    return work / "events.yml"


def labelled_rows(folder):
    rows = []
    for f in sorted(Path(folder).glob("*.csv")):
        with open(f, newline="") as fh:
            rows += list(csv.DictReader(fh))
    return rows


def latest_run(work, name):
    runs = sorted((work / ".sluice" / name / "runs").glob("*/report.json"))
    assert runs, "no run folder"
    return runs[-1].parent


def test_once_loads_valid_rows_exactly_and_dead_letters_invalid_ones(work, sluice, postgres):
    sluice("generate", "events", "--batches", 30, "--events", 1000, "--invalid-rate", 0.05, "--labels", "--out", "incoming")
    pipeline(work, "ev-once", "ev_once", watch="  watch: { max_files_per_trigger: 7, grace: 0s }\n")
    rows = labelled_rows(work / "incoming")
    valid = [r for r in rows if not r["_defect"]]
    invalid = [r for r in rows if r["_defect"]]
    assert len(rows) == 30_000 and 1000 <= len(invalid) <= 2000

    r = sluice("run", "events.yml", "--once", env={"DATABASE_URL": postgres})
    assert f"completed: {len(valid)} rows written" in r.stderr, r.stderr

    # committed rows = valid rows, exactly, by id and by value
    got = psql(postgres, "SELECT count(*), count(DISTINCT event_id), count(_defect), round(sum(price)::numeric, 2) FROM ev_once")
    n, distinct, labelled, total = got.split("|")
    assert int(n) == int(distinct) == len(valid)
    assert int(labelled) == 0  # no row the generator spoiled got in
    assert abs(float(total) - round(sum(float(v["price"]) for v in valid), 2)) < 0.01
    ids = set(psql(postgres, "SELECT event_id FROM ev_once").split("\n"))
    assert ids == {v["event_id"] for v in valid}

    # dead letters = invalid rows, exactly, each with the rule its defect breaks
    dead = [json.loads(l) for l in (work / "out/dead-letter/events.jsonl").read_text().splitlines()]
    assert len(dead) == len(invalid)
    assert Counter(d["values"]["_defect"] for d in dead) == Counter(r["_defect"] for r in invalid)
    for d in dead:
        assert (d["stage"], d["rule"]) in EXPECTED_RULE[d["values"]["_defect"]], d
    log = (work / "out/dead-letter/events.log").read_text().splitlines()
    assert len(log) == len(invalid) and all(" WARN incoming/events_" in l for l in log)

    # 30 files in batches of at most 7, in modification-time order; each ledger row names its batch
    run_dir = latest_run(work, "ev-once")
    batches = [json.loads(l) for l in (run_dir / "batches.jsonl").read_text().splitlines()]
    assert [b["files"] for b in batches] == [7, 7, 7, 7, 2]
    assert [b["batch_id"] for b in batches] == [0, 1, 2, 3, 4]
    assert sum(b["rows_in"] for b in batches) == 30_000
    assert sum(b["rows_valid"] for b in batches) == len(valid)
    assert sum(b["rows_invalid"] for b in batches) == len(invalid)
    by_rule = Counter()
    for b in batches:
        by_rule.update(b["rejected_by"])
        assert set(b["duration_ms"]) == {"discovery", "read_parse", "validate", "write", "commit", "total"}
        assert b["latency_ms"]["max"] >= b["latency_ms"]["min"] > 0
    assert sum(by_rule.values()) == len(invalid)
    ledger = psql(postgres, "SELECT file, checkpoint FROM sluice_ledger WHERE pipeline = 'ev-once' ORDER BY seq").split("\n")
    assert len(ledger) == 30
    batch_of = [int(dict(kv.split("=") for kv in line.split("|")[1].split(";"))["stream_batch"]) for line in ledger]
    assert batch_of == sorted(batch_of) and Counter(batch_of) == Counter({0: 7, 1: 7, 2: 7, 3: 7, 4: 2})
    assert [line.split("|")[0] for line in ledger] == [f"incoming/events_{i:05d}.csv" for i in range(30)]

    report = json.loads((run_dir / "report.json").read_text())
    s = report["streaming"]
    assert s["batches"] == 5 and s["rows_valid"] == len(valid)
    assert s["latency"]["end_to_end"]["count"] == len(valid)
    e2e = s["latency"]["end_to_end"]
    assert 0 < e2e["p50_ms"] <= e2e["p95_ms"] <= e2e["p99_ms"] <= e2e["max_ms"]
    assert sum(report["rejected_by_reason"].values()) == len(invalid)

    # a second --once finds nothing new
    r = sluice("run", "events.yml", "--once", env={"DATABASE_URL": postgres})
    assert "completed: 0 rows written" in r.stderr, r.stderr
    assert int(psql(postgres, "SELECT count(*) FROM ev_once")) == len(valid)
    assert len((work / "out/dead-letter/events.jsonl").read_text().splitlines()) == len(invalid)


def fix(values):
    """What an operator would do to a dead letter: repair the field its defect broke."""
    v = dict(values)
    d = v["_defect"]
    if d == "bad_uuid" or (d == "missing_field" and not v.get("event_id")):
        v["event_id"] = str(uuid.uuid4())
    if d == "missing_field":
        v["user_id"] = v.get("user_id") or "user_00001"
        v["event_type"] = v.get("event_type") or "view"
        v["product_id"] = v.get("product_id") or "prod_0001"
        v["price"] = v.get("price") or "1.5"
        v["event_timestamp"] = v.get("event_timestamp") or "2024-03-01T00:00:00.000Z"
    if d == "negative_price":
        v["price"] = str(abs(float(v["price"])))
    if d == "unknown_event_type":
        v["event_type"] = "purchase"
    if d == "bad_timestamp":
        v["event_timestamp"] = "2024-03-02T12:00:00.000Z"
    return v


def test_replay_of_fixed_dead_letters_inserts_exactly_those_rows(work, sluice, postgres):
    sluice("generate", "events", "--batches", 5, "--events", 1000, "--invalid-rate", 0.05, "--labels", "--seed", 7, "--out", "incoming")
    pipeline(work, "ev-replay", "ev_replay", watch="  watch: { grace: 0s }\n")
    sluice("run", "events.yml", "--once", env={"DATABASE_URL": postgres})
    before = int(psql(postgres, "SELECT count(*) FROM ev_replay"))
    dead = [json.loads(l) for l in (work / "out/dead-letter/events.jsonl").read_text().splitlines()]
    assert len(dead) > 100

    # fix all but three; those stay invalid and must not get in
    fixed = [dict(d, values=fix(d["values"])) for d in dead[3:]]
    broken = dead[:3]
    (work / "fixed.jsonl").write_text("".join(json.dumps(d) + "\n" for d in broken + fixed))
    r = sluice("replay", "fixed.jsonl", "--pipeline", "events.yml", env={"DATABASE_URL": postgres})
    assert f"replaying {len(dead)} rows" in r.stderr
    assert f"completed: {len(fixed)} rows written" in r.stderr, r.stderr
    assert int(psql(postgres, "SELECT count(*) FROM ev_replay")) == before + len(fixed)
    got = dict(line.split("|") for line in psql(postgres, "SELECT event_id, price FROM ev_replay WHERE _defect IS NOT NULL").split("\n"))
    want = {d["values"]["event_id"]: float(d["values"]["price"]) for d in fixed}
    assert {k: float(v) for k, v in got.items()} == want
    still = [json.loads(l) for l in (work / ".sluice/ev-replay-replay/dead-letter.jsonl").read_text().splitlines()]
    assert len(still) == 3 and {s["values"]["_defect"] for s in still} <= set(EXPECTED_RULE)

    # the same file again: its rows are in the ledger already
    r = sluice("replay", "fixed.jsonl", "--pipeline", "events.yml", env={"DATABASE_URL": postgres})
    assert int(psql(postgres, "SELECT count(*) FROM ev_replay")) == before + len(fixed)
    # and the main pipeline's checkpoints were not touched: its dead letters are intact
    assert len((work / "out/dead-letter/events.jsonl").read_text().splitlines()) == len(dead)


def drop(folder, name, text, rename=True):
    """Writes a file the careful way (temporary name, then rename) or the careless way."""
    folder.mkdir(parents=True, exist_ok=True)
    if rename:
        tmp = folder / f".{name}.tmp"
        tmp.write_text(text)
        os.rename(tmp, folder / name)
    else:
        with open(folder / name, "w") as f:
            half = len(text) // 2
            f.write(text[:half])
            f.flush()
            time.sleep(0.15)  # shorter than the grace period: the file must not be taken yet
            f.write(text[half:])


def wait_for(predicate, timeout=60, what=""):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_watching_takes_complete_files_only_and_stops_cleanly_on_sigterm(work, sluice, postgres):
    sluice("generate", "events", "--batches", 6, "--events", 500, "--labels", "--out", "staging")
    staged = sorted((work / "staging").glob("*.csv"))
    pipeline(work, "ev-watch", "ev_watch",
             watch="  watch: { trigger: 0s, grace: 400ms, clean_source: archive }\n")
    env = dict(os.environ, DATABASE_URL=postgres)
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p = subprocess.Popen([sluice.bin, "run", "events.yml", "--metrics-port", str(port)], cwd=work, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        incoming = work / "incoming"
        count = lambda: int(psql(postgres, "SELECT count(*) FROM ev_watch") or 0) if psql(
            postgres, "SELECT count(*) FROM pg_tables WHERE tablename = 'ev_watch'") == "1" else 0
        for i, f in enumerate(staged[:3]):
            drop(incoming, f.name, f.read_text(), rename=True)
        # ignored names: hidden files and temporary suffixes
        drop(incoming, ".hidden.csv", staged[5].read_text(), rename=False)
        (incoming / "partial.csv.tmp").write_text(staged[5].read_text())
        wait_for(lambda: count() == 1500, what="the renamed files")
        # written in place, slowly: taken only once stable, never half
        for f in staged[3:5]:
            drop(incoming, f.name, f.read_text(), rename=False)
        wait_for(lambda: count() == 2500, what="the files written in place")
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        assert 'sluice_rows_written_total{pipeline="ev-watch"} 2500' in metrics, metrics
        assert "sluice_stream_end_to_end_latency_seconds" in metrics
        time.sleep(0.5)
        assert count() == 2500  # the ignored files stay ignored
    finally:
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    assert "stopped: 2500 rows written" in err, err
    # no parse rejects: nothing was read half-written
    assert not (work / "out/dead-letter/events.jsonl").exists() or (work / "out/dead-letter/events.jsonl").read_text() == ""
    # clean_source: archive moved exactly the committed files
    assert sorted(x.name for x in (work / "incoming-archive").glob("*.csv")) == [f.name for f in staged[:5]]
    assert sorted(x.name for x in incoming.iterdir()) == [".hidden.csv", "partial.csv.tmp"]
    run_dir = latest_run(work, "ev-watch")
    report = json.loads((run_dir / "report.json").read_text())
    assert report["status"] == "stopped" and report["streaming"]["config"]["discovery"] == "inotify"
    assert (run_dir / "report.html").exists() and (run_dir / "report.md").exists()


def test_html_report_draws_its_charts(work, sluice, postgres):
    sluice("generate", "events", "--batches", 12, "--events", 2000, "--invalid-rate", 0.05, "--out", "incoming")
    pipeline(work, "ev-report", "ev_report", watch="  watch: { max_files_per_trigger: 2, grace: 0s }\n")
    (work / "events.yml").write_text((work / "events.yml").read_text().replace("    _defect: string\n", ""))
    sluice("run", "events.yml", "--once", env={"DATABASE_URL": postgres})
    run_dir = latest_run(work, "ev-report")
    report = json.loads((run_dir / "report.json").read_text())

    html = (run_dir / "report.html").read_text()
    assert "http://" not in html.replace("http://www.w3.org/", "")  # self-contained
    root = ET.fromstring(html.replace("<!DOCTYPE html>", ""))
    charts = {svg.get("id"): svg for svg in root.iter(SVG + "svg")}
    assert set(charts) == {"chart-throughput", "chart-latency", "chart-batch-latency", "chart-validation", "chart-rows"}
    # throughput: one bar per second of the run; latency: 4 quantiles x (end to end + 6 stages)
    assert len([r for r in charts["chart-throughput"].iter(SVG + "rect") if r.get("class") == "bar"]) >= 1
    assert len([r for r in charts["chart-latency"].iter(SVG + "rect") if r.get("class") == "bar"]) == 4 * 7
    assert len(list(charts["chart-batch-latency"].iter(SVG + "polyline"))) == 2
    rule_bars = [r for r in charts["chart-validation"].iter(SVG + "rect") if r.get("class") == "bar"]
    assert len(rule_bars) == len(report["rejected_by_reason"])
    shown = {t.text.split(": ")[0]: int(t.text.split(": ")[1].replace(",", "")) for r in rule_bars for t in r.iter(SVG + "title")}
    assert shown == report["rejected_by_reason"]
    rows = {t.text.split(": ")[0]: int(t.text.split(": ")[1].replace(",", ""))
            for r in charts["chart-rows"].iter(SVG + "rect") if r.get("class") == "bar" for t in r.iter(SVG + "title")}
    assert rows == {"rows in": 24_000, "valid": report["rows_out"], "invalid": report["rows_rejected"], "committed": report["rows_out"]}
    for svg in charts.values():
        assert float(svg.get("width")) > 0 and svg.find(SVG + "title").text
    md = (run_dir / "report.md").read_text()
    assert "## 4. Latency" in md and "[X]" not in md and "P99" in md

    # `sluice report` renders the same pages again from the run folder
    os.remove(run_dir / "report.html")
    r = sluice("report", str(run_dir.relative_to(work)))
    assert (run_dir / "report.html").read_text() == html
    r = sluice("report", ".sluice/ev-report")
    assert str(run_dir.relative_to(work) / "report.md") in r.stdout

    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser:
        shot = work / "report.png"
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                        "--window-size=900,2400", f"file://{run_dir / 'report.html'}"], capture_output=True, timeout=60)
        assert shot.exists() and shot.stat().st_size > 10_000


def test_streaming_config_errors_are_located(work, sluice):
    (work / "in").mkdir()
    base = "name: s\nsource:\n  type: csv\n  paths: [\"in/*.csv\"]\n{extra}sink: {{ type: jsonl, path: out.jsonl }}\n"
    cases = [
        ("  watch: { trigger: soon }\n  schema: { a: string }\n", "events.yml:5", "expected a duration"),
        ("  max_files_per_trigger: 3\n  schema: { a: string }\n", "events.yml:5", "add watch: true or mode: streaming"),
        ("  mode: streaming\n  clean_source: shred\n  schema: { a: string }\n", "events.yml:6", "expected one of: off, archive, delete"),
        ("  watch: true\n", "events.yml:4", "give the source a schema"),
    ]
    for extra, where, message in cases:
        (work / "events.yml").write_text(base.format(extra=extra))
        r = sluice("validate", "events.yml", check=False)
        assert r.returncode != 0 and where in r.stderr and message in r.stderr, (extra, r.stderr)
