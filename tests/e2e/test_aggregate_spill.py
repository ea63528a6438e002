"""A million groups under a small memory budget: the aggregate spills to disk and still gives,
group for group, what DuckDB's GROUP BY gives on the same CSV."""
import json

import duckdb

from conftest import TELECOM_SCHEMA, write

COLUMNS = """{'square_id':'INTEGER','time_interval':'BIGINT','country_code':'INTEGER','sms_in':'DOUBLE',
    'sms_out':'DOUBLE','call_in':'DOUBLE','call_out':'DOUBLE','internet':'DOUBLE'}"""


def test_a_million_groups_spill_and_match_duckdb(work, sluice):
    sluice("generate", "telecom", "--rows", 1_000_000, "--out", "data/telecom.csv")
    write(work / "groups.yml", f"""name: groups
memory: 16MB
source:
  type: csv
  path: data/telecom.csv
{TELECOM_SCHEMA}transforms:
  - aggregate:
      group_by: [square_id, country_code, {{t: "cast(time_interval, 'int64')"}}]
      compute: {{n: "count(*)", internet: "sum(internet)", sms_in: "max(sms_in)", calls: "count(call_in)"}}
sink: {{type: parquet, file: out/groups.parquet}}
""")
    r = sluice("run", "groups.yml", "--workers", 1)
    run = sorted((work / ".sluice/groups/runs").iterdir())[-1]
    report = json.loads((run / "report.json").read_text())
    assert report["rows_spilled"] > 100_000, report["rows_spilled"]
    assert "aggregation spilled" in r.stderr
    con = duckdb.connect()
    con.execute(f"""CREATE TABLE want AS SELECT square_id, country_code, time_interval AS t, count(*) AS n,
        sum(internet) AS internet, max(sms_in) AS sms_in, count(call_in) AS calls
        FROM read_csv('{work}/data/telecom.csv', header=true, columns={COLUMNS}) GROUP BY ALL""")
    con.execute(f"CREATE TABLE got AS SELECT * FROM read_parquet('{work}/out/groups.parquet')")
    groups = con.execute("SELECT count(*) FROM want").fetchone()[0]
    assert groups > 900_000
    assert report["rows_out"] == groups == con.execute("SELECT count(*) FROM got").fetchone()[0]
    # Every group once, with the same values.
    assert con.execute("SELECT count(*) FROM (SELECT square_id, country_code, t FROM got GROUP BY ALL HAVING count(*) > 1)").fetchone()[0] == 0
    mismatched = con.execute("""SELECT count(*) FROM want w LEFT JOIN got g USING (square_id, country_code, t)
        WHERE g.n IS DISTINCT FROM w.n OR g.calls IS DISTINCT FROM w.calls OR g.sms_in IS DISTINCT FROM w.sms_in
           OR NOT (g.internet IS NOT DISTINCT FROM w.internet OR abs(g.internet - w.internet) <= 1e-9 * abs(w.internet))""").fetchone()[0]
    assert mismatched == 0
