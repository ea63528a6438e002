"""An independent implementation of Koku's OpenShift daily pod summary, in DuckDB SQL.

It follows `reporting_ocpusagelineitem_daily_summary.sql` (Trino) as summarised in
`shared/reference/domain-specs.md` section 3c, over the hourly reports `sluice generate ocp`
writes (pod_usage/, node_labels/, namespace_labels/ under one folder):

- rows with an empty node are dropped; usage_start = usage_end = date(interval_start);
- labels: node, then namespace, then pod (later wins, Trino's map_concat), each filtered to the
  enabled keys, rendered as JSON with sorted keys;
- group keys: usage_start, namespace, node, source_uuid, merged labels (pod is not a key);
- *_core_hours = sum(seconds) / 3600; memory *_gigabyte_hours = sum(byte_seconds) / 3600 * 2^-30;
  effective usage = greatest(usage, request) per hourly row;
- node capacity: per (interval_start, node) the max of the capacity seconds, summed per
  (day, node); cluster capacity: those summed over the nodes per day;
- year, month, day as text without zero padding.

The label maps are merged per row with DuckDB's map functions, the slow way Koku does it, so the
result does not share the engine's merge-once shortcut.
"""
import duckdb


def label_map_sql(column: str) -> str:
    """`label_k:v|label_k2:v2` → MAP(VARCHAR, VARCHAR), label_ prefix dropped, malformed pairs skipped."""
    return (
        "map_from_entries(list_transform(list_filter(string_split(coalesce({c}, ''), '|'), "
        "lambda p: strpos(p, ':') > 0 and length(regexp_replace(split_part(p, ':', 1), '^label_', '')) > 0), "
        "lambda p: {{'key': regexp_replace(split_part(p, ':', 1), '^label_', ''), "
        "'value': substr(p, strpos(p, ':') + 1)}}))"
    ).format(c=column)


def summary(folder: str, source_uuid: str, enabled_keys: list[str], fmt: str = "csv", threads: int | None = None,
            kind: str = "TABLE") -> list[dict]:
    """The summary rows as dicts. `fmt` is how the three folders hold the reports: `csv` (read as
    text) or `parquet` (as `sluice convert` writes them, typed); `kind` TABLE loads them first,
    VIEW reads them inside the query (for timing the whole thing); `threads` sets DuckDB's."""
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads={threads}")
    keys = "[" + ", ".join("'" + k.replace("'", "''") + "'" for k in enabled_keys) + "]"
    ts = "strptime(replace({c}, ' +0000 UTC', ''), '%Y-%m-%d %H:%M:%S')"
    if fmt == "csv":
        read = "read_csv('{folder}/{sub}/*.csv', header=true, all_varchar=true)"
        num = "CAST(NULLIF({c}, '') AS DOUBLE)"
    else:
        read = "read_parquet('{folder}/{sub}/*.parquet')"
        num = "CAST({c} AS DOUBLE)"
    for table, sub in [("pods", "pod_usage"), ("nodes", "node_labels"), ("nss", "namespace_labels")]:
        con.execute(f"CREATE {kind} {table} AS SELECT * FROM {read.format(folder=folder, sub=sub)}")
    # Daily label tables, as Koku's openshift_*_labels_line_items_daily: one map per key and day.
    rows = con.execute(f"""
        WITH node_daily AS (
            SELECT node, CAST({ts.format(c='interval_start')} AS DATE) AS day,
                   any_value({label_map_sql('node_labels')}) AS labels
            FROM nodes GROUP BY 1, 2
        ), ns_daily AS (
            SELECT namespace, CAST({ts.format(c='interval_start')} AS DATE) AS day,
                   any_value({label_map_sql('namespace_labels')}) AS labels
            FROM nss GROUP BY 1, 2
        ), hourly AS (
            SELECT p.*, {ts.format(c='p.interval_start')} AS hour,
                   CAST({ts.format(c='p.interval_start')} AS DATE) AS day,
                   {num.format(c='pod_usage_cpu_core_seconds')} AS cpu_use,
                   {num.format(c='pod_request_cpu_core_seconds')} AS cpu_req,
                   {num.format(c='pod_limit_cpu_core_seconds')} AS cpu_lim,
                   {num.format(c='pod_usage_memory_byte_seconds')} AS mem_use,
                   {num.format(c='pod_request_memory_byte_seconds')} AS mem_req,
                   {num.format(c='pod_limit_memory_byte_seconds')} AS mem_lim,
                   {num.format(c='node_capacity_cpu_cores')} AS cap_cores,
                   {num.format(c='node_capacity_cpu_core_seconds')} AS cap_cpu_s,
                   {num.format(c='node_capacity_memory_bytes')} AS cap_mem,
                   {num.format(c='node_capacity_memory_byte_seconds')} AS cap_mem_s
            FROM pods p WHERE coalesce(p.node, '') != ''
        ), node_hour AS (
            SELECT day, hour, node, max(cap_cpu_s) AS cpu_s, max(cap_mem_s) AS mem_s FROM hourly GROUP BY 1, 2, 3
        ), node_day AS (
            SELECT day, node, sum(cpu_s) AS cpu_s, sum(mem_s) AS mem_s FROM node_hour GROUP BY 1, 2
        ), cluster_day AS (
            SELECT day, sum(cpu_s) AS cpu_s, sum(mem_s) AS mem_s FROM node_day GROUP BY 1
        ), labelled AS (
            SELECT h.*,
                   map_concat(
                       coalesce(map_from_entries(list_filter(map_entries(nd.labels), lambda e: list_contains({keys}, e.key))), MAP {{}}),
                       coalesce(map_from_entries(list_filter(map_entries(ns.labels), lambda e: list_contains({keys}, e.key))), MAP {{}}),
                       coalesce(map_from_entries(list_filter(map_entries({label_map_sql('h.pod_labels')}), lambda e: list_contains({keys}, e.key))), MAP {{}})
                   ) AS merged
            FROM hourly h
            LEFT JOIN node_daily nd ON nd.node = h.node AND nd.day = h.day
            LEFT JOIN ns_daily ns ON ns.namespace = h.namespace AND ns.day = h.day
        ), json_labelled AS (
            SELECT *, '{{' || coalesce(array_to_string(list_transform(list_sort(map_entries(merged), 'ASC'),
                    lambda e: to_json(e.key)::VARCHAR || ':' || to_json(e.value)::VARCHAR), ','), '') || '}}' AS pod_labels_json
            FROM labelled
        )
        SELECT l.day AS usage_start, l.namespace, l.node, '{source_uuid}' AS source_uuid, l.pod_labels_json AS pod_labels,
               max(l.resource_id) AS resource_id,
               sum(l.cpu_use) / 3600.0 AS pod_usage_cpu_core_hours,
               sum(l.cpu_req) / 3600.0 AS pod_request_cpu_core_hours,
               sum(greatest(l.cpu_use, l.cpu_req)) / 3600.0 AS pod_effective_usage_cpu_core_hours,
               sum(l.cpu_lim) / 3600.0 AS pod_limit_cpu_core_hours,
               sum(l.mem_use) / 3600.0 * power(2, -30) AS pod_usage_memory_gigabyte_hours,
               sum(l.mem_req) / 3600.0 * power(2, -30) AS pod_request_memory_gigabyte_hours,
               sum(greatest(l.mem_use, l.mem_req)) / 3600.0 * power(2, -30) AS pod_effective_usage_memory_gigabyte_hours,
               sum(l.mem_lim) / 3600.0 * power(2, -30) AS pod_limit_memory_gigabyte_hours,
               max(l.cap_cores) AS node_capacity_cpu_cores,
               max(nd.cpu_s) / 3600.0 AS node_capacity_cpu_core_hours,
               max(l.cap_mem) * power(2, -30) AS node_capacity_memory_gigabytes,
               max(nd.mem_s) / 3600.0 * power(2, -30) AS node_capacity_memory_gigabyte_hours,
               max(cd.cpu_s) / 3600.0 AS cluster_capacity_cpu_core_hours,
               max(cd.mem_s) / 3600.0 * power(2, -30) AS cluster_capacity_memory_gigabyte_hours,
               CAST(year(l.day) AS VARCHAR) AS year, CAST(month(l.day) AS VARCHAR) AS month,
               CAST(day(l.day) AS VARCHAR) AS day
        FROM json_labelled l
        JOIN node_day nd ON nd.day = l.day AND nd.node = l.node
        JOIN cluster_day cd ON cd.day = l.day
        GROUP BY l.day, l.namespace, l.node, l.pod_labels_json
        ORDER BY usage_start, namespace, node, pod_labels
    """).fetchall()
    cols = [d[0] for d in con.description]
    return [dict(zip(cols, r)) for r in rows]
