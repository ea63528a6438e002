"""examples/ocp-daily-summary.yml against the DuckDB implementation of Koku's SQL
(koku_reference.py), row for row, on every shipped scenario."""
import sqlite3

import pytest

from conftest import ROOT
from koku_reference import summary

pytest.importorskip("duckdb")

KEYS = ["app", "env", "owner", "zone", "team", "tier", "project", "role", "version", "pool", "nodeclass"]
NUMERIC = [
    "pod_usage_cpu_core_hours", "pod_request_cpu_core_hours", "pod_effective_usage_cpu_core_hours", "pod_limit_cpu_core_hours",
    "pod_usage_memory_gigabyte_hours", "pod_request_memory_gigabyte_hours", "pod_effective_usage_memory_gigabyte_hours",
    "pod_limit_memory_gigabyte_hours", "node_capacity_cpu_cores", "node_capacity_cpu_core_hours",
    "node_capacity_memory_gigabytes", "node_capacity_memory_gigabyte_hours", "cluster_capacity_cpu_core_hours",
    "cluster_capacity_memory_gigabyte_hours",
]
TEXT = ["resource_id", "source_uuid", "year", "month", "day"]


@pytest.mark.parametrize("scenario", ["one-node", "many-nodes", "many-projects", "missing-items", "label-conflicts", "month-boundary"])
def test_summary_equals_koku_sql(sluice, work, scenario):
    data = work / "ocp"
    sluice("generate", "ocp", "--scenario", ROOT / f"examples/ocp/{scenario}.yml", "--out", data)
    env = {
        "OCP_DATA": str(data), "OCP_OUT": str(work / "ocp.sqlite"), "OCP_SOURCE_UUID": "src-1",
        "OCP_ENABLED_KEYS": ", ".join(f"'{k}'" for k in KEYS),
    }
    sluice("run", ROOT / "examples/ocp-daily-summary.yml", env=env)
    expected = summary(str(data), "src-1", KEYS)
    con = sqlite3.connect(work / "ocp.sqlite")
    con.row_factory = sqlite3.Row
    got = {(r["usage_start"], r["namespace"], r["node"], r["pod_labels"]): dict(r)
           for r in con.execute("SELECT * FROM reporting_ocpusagelineitem_daily_summary")}
    assert len(got) == len(expected)
    for e in expected:
        key = (str(e["usage_start"]), e["namespace"], e["node"], e["pod_labels"])
        assert key in got, f"missing group {key}"
        g = got[key]
        for c in NUMERIC:
            if e[c] is None:
                assert g[c] is None, (key, c, g[c])
            else:
                assert g[c] == pytest.approx(e[c], rel=1e-12), (key, c, g[c], e[c])
        for c in TEXT:
            assert str(g[c]) == str(e[c]), (key, c, g[c], e[c])


def test_rerun_recomputes_and_upserts_without_duplicates(sluice, work):
    data = work / "ocp"
    sluice("generate", "ocp", "--scenario", ROOT / "examples/ocp/one-node.yml", "--out", data)
    env = {"OCP_DATA": str(data), "OCP_OUT": str(work / "ocp.sqlite"), "OCP_ENABLED_KEYS": "'app', 'team', 'zone', 'nodeclass'"}
    sluice("run", ROOT / "examples/ocp-daily-summary.yml", env=env)
    sluice("run", ROOT / "examples/ocp-daily-summary.yml", env=env)
    con = sqlite3.connect(work / "ocp.sqlite")
    assert con.execute("SELECT count(*) FROM reporting_ocpusagelineitem_daily_summary").fetchone()[0] == 6
    total = con.execute("SELECT sum(pod_usage_cpu_core_hours) FROM reporting_ocpusagelineitem_daily_summary").fetchone()[0]
    assert total == pytest.approx(2 * (24 + 12) + 3 + 9)


@pytest.mark.parametrize("scenario", ["many-nodes", "missing-items", "label-conflicts", "month-boundary"])
def test_parquet_input_gives_the_same_summary(sluice, work, scenario):
    """The operator's files as Parquet (source and every lookup table): the same rows as from CSV."""
    data = work / "ocp"
    sluice("generate", "ocp", "--scenario", ROOT / f"examples/ocp/{scenario}.yml", "--out", data)
    csvs = sorted(data.rglob("*.csv"))
    for f in csvs:
        sluice("convert", f, f.with_suffix(".parquet"), "--quiet")
        f.unlink()
    text = (ROOT / "examples/ocp-daily-summary.yml").read_text()
    assert text.count("type: csv") == 5
    (work / "pq.yml").write_text(text.replace("type: csv", "type: parquet").replace("*.csv", "*.parquet"))
    env = {"OCP_DATA": str(data), "OCP_OUT": str(work / "pq.sqlite"), "OCP_SOURCE_UUID": "src-1",
           "OCP_ENABLED_KEYS": ", ".join(f"'{k}'" for k in KEYS)}
    sluice("run", work / "pq.yml", env=env)
    expected = summary_rows(data, "src-1")
    con = sqlite3.connect(work / "pq.sqlite")
    got = con.execute("SELECT usage_start, namespace, node, pod_labels, pod_usage_cpu_core_hours, "
                      "pod_request_memory_gigabyte_hours, node_capacity_cpu_core_hours, cluster_capacity_memory_gigabyte_hours "
                      "FROM reporting_ocpusagelineitem_daily_summary ORDER BY 1, 2, 3, 4").fetchall()
    assert len(got) == len(expected) > 0
    for g, e in zip(got, expected):
        assert tuple(str(x) for x in g[:4]) == tuple(str(x) for x in e[:4])
        assert g[4:] == pytest.approx(e[4:], rel=1e-12)


def summary_rows(data, source_uuid):
    """Koku's SQL in DuckDB over the same Parquet files, in the order the test reads."""
    rows = summary(str(data), source_uuid, KEYS, fmt="parquet")
    cols = ["usage_start", "namespace", "node", "pod_labels", "pod_usage_cpu_core_hours",
            "pod_request_memory_gigabyte_hours", "node_capacity_cpu_core_hours", "cluster_capacity_memory_gigabyte_hours"]
    return sorted((tuple(r[c] for c in cols) for r in rows), key=lambda t: tuple(str(x) for x in t[:4]))
