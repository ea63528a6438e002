"""The DuckDB implementation of Koku's summary (koku_reference.py) against values worked out by
hand for examples/ocp/one-node.yml, so that later comparisons with the engine rest on a checked
oracle. Also checks `sluice generate ocp` end to end."""
from pathlib import Path

import pytest

from conftest import ROOT
from koku_reference import summary

pytest.importorskip("duckdb")


def test_one_node_summary_matches_hand_computation(sluice, work):
    out = work / "ocp"
    p = sluice("generate", "ocp", "--scenario", ROOT / "examples/ocp/one-node.yml", "--out", out)
    assert "wrote 144 rows to 2 files" in p.stderr
    assert sorted(x.name for x in (out / "pod_usage").iterdir()) == ["2024-05-01.csv", "2024-05-02.csv"]
    rows = summary(str(out), "src-1", ["app", "team", "zone", "nodeclass"])
    assert len(rows) == 6
    by = {(str(r["usage_start"]), r["pod_labels"]): r for r in rows}
    web1 = '{"app":"web","nodeclass":"compute","team":"web","zone":"pod"}'
    web2 = '{"app":"web","nodeclass":"compute","team":"web","zone":"ns"}'
    job = '{"app":"etl","nodeclass":"compute","team":"data","zone":"a"}'
    assert set(by) == {(d, l) for d in ("2024-05-01", "2024-05-02") for l in (web1, web2, job)}

    def check(day, labels, **expected):
        r = by[(day, labels)]
        for k, v in expected.items():
            assert r[k] == pytest.approx(v, rel=1e-12, abs=0) if v is not None else r[k] is None, (day, labels, k, r[k])

    for day in ("2024-05-01", "2024-05-02"):
        check(day, web1, pod_usage_cpu_core_hours=24, pod_request_cpu_core_hours=24, pod_effective_usage_cpu_core_hours=24,
              pod_limit_cpu_core_hours=48, pod_usage_memory_gigabyte_hours=72, pod_request_memory_gigabyte_hours=48,
              pod_effective_usage_memory_gigabyte_hours=72, pod_limit_memory_gigabyte_hours=96)
        check(day, job, pod_usage_cpu_core_hours=12, pod_request_cpu_core_hours=8, pod_effective_usage_cpu_core_hours=12,
              pod_limit_cpu_core_hours=None, pod_usage_memory_gigabyte_hours=32, pod_request_memory_gigabyte_hours=16,
              pod_effective_usage_memory_gigabyte_hours=32, pod_limit_memory_gigabyte_hours=None)
        r = by[(day, job)]
        assert (r["namespace"], r["node"], r["resource_id"], r["source_uuid"]) == ("batch", "alpha", "i-55555555", "src-1")
        assert (r["node_capacity_cpu_cores"], r["node_capacity_memory_gigabytes"]) == (4, 16)
        assert r["node_capacity_cpu_core_hours"] == 96 and r["cluster_capacity_cpu_core_hours"] == 96
        assert r["node_capacity_memory_gigabyte_hours"] == 384 and r["cluster_capacity_memory_gigabyte_hours"] == 384
        assert (r["year"], r["month"]) == ("2024", "5")
    # web-2 uses 0.25 core on May 1st and 0.75 on May 2nd (the dated usage); its request is 0.5.
    check("2024-05-01", web2, pod_usage_cpu_core_hours=3, pod_request_cpu_core_hours=6, pod_effective_usage_cpu_core_hours=6,
          pod_limit_cpu_core_hours=12, pod_usage_memory_gigabyte_hours=12, pod_limit_memory_gigabyte_hours=24)
    check("2024-05-02", web2, pod_usage_cpu_core_hours=9, pod_effective_usage_cpu_core_hours=9)
    assert by[("2024-05-02", web2)]["day"] == "2"


def test_enabled_keys_filter_every_level(sluice, work):
    out = work / "ocp"
    sluice("generate", "ocp", "--scenario", ROOT / "examples/ocp/one-node.yml", "--out", out)
    rows = summary(str(out), "s", ["app"])
    # Without team/zone/nodeclass, web-1 and web-2 share {"app":"web"} and collapse into one row.
    labels = sorted({r["pod_labels"] for r in rows})
    assert labels == ['{"app":"etl"}', '{"app":"web"}']
    web = [r for r in rows if r["pod_labels"] == '{"app":"web"}' and str(r["usage_start"]) == "2024-05-01"][0]
    assert web["pod_usage_cpu_core_hours"] == pytest.approx(27)


@pytest.mark.parametrize("scenario,days,groups_per_day", [
    ("many-nodes", 3, 3), ("many-projects", 2, 12), ("missing-items", 2, 1), ("label-conflicts", 1, 2),
    ("month-boundary", 3, 1),
])
def test_every_scenario_generates_and_summarises(sluice, work, scenario, days, groups_per_day):
    out = work / scenario
    sluice("generate", "ocp", "--scenario", ROOT / f"examples/ocp/{scenario}.yml", "--out", out)
    rows = summary(str(out), "s", ["app", "env", "owner", "zone", "team", "tier", "project", "role", "version", "pool"])
    assert len({str(r["usage_start"]) for r in rows}) == days
    assert len(rows) == days * groups_per_day
    assert all(r["node"] != "" for r in rows)
    if scenario == "missing-items":
        # Both scheduled pods have no labels, so they share the {} group; the unscheduled pod is dropped.
        assert {r["pod_labels"] for r in rows} == {"{}"} and {r["namespace"] for r in rows} == {"bare"}
        # Only "drawn" reports limits (the node's 2 cores for 1800 s an hour): 24 core-hours a day.
        assert all(r["pod_limit_cpu_core_hours"] == pytest.approx(24) for r in rows)
    if scenario == "label-conflicts":
        labels = sorted(r["pod_labels"] for r in rows)
        assert labels == ['{"env":"ns","owner":"pod","zone":"node"}', '{"env":"pod","owner":"ns","zone":"node"}']
        merged = [r for r in rows if r["pod_labels"].startswith('{"env":"pod"')][0]
        assert merged["pod_usage_cpu_core_hours"] == pytest.approx(72)  # a1 and a2 collapse: 24 * (1 + 2)
    if scenario == "month-boundary":
        assert sorted((r["year"], r["month"], r["day"]) for r in rows) == [("2024", "1", "30"), ("2024", "1", "31"), ("2024", "2", "1")]
        feb = [r for r in rows if r["month"] == "2"][0]
        assert feb["pod_usage_cpu_core_hours"] == pytest.approx(24 * 3000 * 2 / 3600)
