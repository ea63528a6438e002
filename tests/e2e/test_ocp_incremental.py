"""examples/ocp-daily-summary.yml into PostgreSQL with its `incremental:` block: a new day's files
recompute only that day, a rewritten file only its day, and the table always equals Koku's SQL
(koku_reference.py, DuckDB) over all the files."""
import json
import shutil

import pytest

from conftest import ROOT
from koku_reference import summary
from test_ocp_summary import KEYS, NUMERIC
from test_postgres_sink import psql, rows

pytest.importorskip("duckdb")

TABLE = "ocp_incremental"
DAYS = ["2024-03-10", "2024-03-11", "2024-03-12"]


def pg_pipeline(work):
    """The example with its sqlite sink swapped for the commented PostgreSQL block."""
    text = (ROOT / "examples/ocp-daily-summary.yml").read_text()
    head = text[:text.index("sink:\n  type: sqlite")]
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if "uncomment these lines" in l) + 1
    block = "\n".join(l[1:] for l in lines[start:])
    assert block.startswith("incremental:") and "mode: replace" in block
    path = work / "ocp-pg.yml"
    path.write_text(head + block.replace("table: reporting_ocpusagelineitem_daily_summary", f"table: {TABLE}") + "\n")
    return path


def table_rows(url):
    """(usage_start, namespace, node, pod_labels) -> (xmin, numeric columns)."""
    out = {}
    for r in rows(url, f"SELECT usage_start, namespace, node, pod_labels, xmin::text, {', '.join(NUMERIC)} FROM {TABLE}"):
        out[tuple(r[:4])] = (r[4], [None if v == "" else float(v) for v in r[5:]])
    return out


def assert_matches_koku(got, data):
    expected = summary(str(data), "src-1", KEYS)
    assert len(got) == len(expected)
    for e in expected:
        key = (str(e["usage_start"]), e["namespace"], e["node"], e["pod_labels"])
        assert key in got, f"missing group {key}"
        for c, v in zip(NUMERIC, got[key][1]):
            assert v == (None if e[c] is None else pytest.approx(e[c], rel=1e-12)), (key, c)


def last_report(work):
    runs = sorted((work / ".sluice/ocp-daily-summary/runs").iterdir())
    return json.loads((runs[-1] / "report.json").read_text())


def test_a_new_day_or_a_rewritten_file_recomputes_only_its_day(sluice, work, postgres):
    data = work / "ocp"
    sluice("generate", "ocp", "--scenario", ROOT / "examples/ocp/many-nodes.yml", "--out", data)
    held = work / "held"
    kinds = ["pod_usage", "node_labels", "namespace_labels"]
    for k in kinds:
        (held / k).mkdir(parents=True)
        shutil.move(data / k / f"{DAYS[2]}.csv", held / k)
    pipe = pg_pipeline(work)
    env = {"OCP_DATA": str(data), "OCP_SOURCE_UUID": "src-1", "DATABASE_URL": postgres,
           "OCP_ENABLED_KEYS": ", ".join(f"'{k}'" for k in KEYS)}

    first = sluice("run", pipe, env=env)
    assert "2 slice(s) recomputed (2024-03-10, 2024-03-11)" in first.stderr
    before = table_rows(postgres)
    assert {k[0] for k in before} == set(DAYS[:2])
    assert_matches_koku(before, data)

    again = sluice("run", pipe, env=env)
    assert "up to date (6 input files" in again.stderr
    assert table_rows(postgres) == before

    # The third day arrives: only its rows are written; the other days' rows are the same tuples.
    for k in kinds:
        shutil.move(held / k / f"{DAYS[2]}.csv", data / k)
    third = sluice("run", pipe, env=env)
    assert "1 slice(s) recomputed (2024-03-12) from 3 new or changed and 0 removed file(s)" in third.stderr
    report = last_report(work)
    # The source, two label lookups and two capacity lookups each read the one new file.
    assert report["incremental"]["files_read"] == [1, 1, 1, 1, 1]
    pod_rows_day3 = sum(1 for _ in open(data / "pod_usage" / f"{DAYS[2]}.csv")) - 1
    assert report["rows_in"] == pod_rows_day3
    after = table_rows(postgres)
    for key, (xmin, values) in before.items():
        assert after[key] == (xmin, values), key
    new = {k for k in after if k[0] == DAYS[2]}
    assert new and all(after[k][0] != before[next(iter(before))][0] for k in new)
    assert_matches_koku(after, data)

    # The middle day's usage file is rewritten without its last hour: that day changes, alone.
    f = data / "pod_usage" / f"{DAYS[1]}.csv"
    lines = f.read_text().splitlines(keepends=True)
    f.write_text("".join(l for l in lines if " 23:00:00 " not in l))
    assert len(f.read_text().splitlines()) < len(lines)
    fourth = sluice("run", pipe, env=env)
    assert "1 slice(s) recomputed (2024-03-11) from 1 new or changed" in fourth.stderr
    rewritten = table_rows(postgres)
    for key in after:
        if key[0] != DAYS[1]:
            assert rewritten[key] == after[key], key
    assert_matches_koku(rewritten, data)
    assert psql(postgres, f"SELECT count(*) FROM {TABLE} WHERE usage_start = '{DAYS[1]}'") != "0"

    # A full refresh computes the same table from scratch.
    sluice("run", pipe, "--full-refresh", env=env)
    refreshed = table_rows(postgres)
    assert {k: v[1] for k, v in refreshed.items()} == {k: v[1] for k, v in rewritten.items()}


def test_incremental_needs_a_sink_that_replaces_slices(sluice, work):
    text = (ROOT / "examples/ocp-daily-summary.yml").read_text()
    bad = work / "bad.yml"
    bad.write_text(text + "incremental:\n  by: {usage_start: \"date(substr(interval_start, 1, 10))\"}\n")
    line = len(text.splitlines()) + 2
    r = sluice("validate", bad, check=False)
    assert r.returncode != 0
    assert f"bad.yml:{line}" in r.stderr and "postgres with mode: replace and 'usage_start' in partition_keys" in r.stderr
