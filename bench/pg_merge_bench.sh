#!/usr/bin/env bash
# The merge behind the PostgreSQL sink's insert_ignore mode, timed in psql on a throwaway cluster
# (scripts/pg-cluster.sh): ROWS staged rows with random UUID keys merged into a table with a
# primary key, sorted (DISTINCT ON, the sink's statement) and unsorted (plain ON CONFLICT DO
# NOTHING), once into an empty table and once when every key is already there.
# Usage: bench/pg_merge_bench.sh   (ROWS=400000)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
rows=${ROWS:-400000}
work=$(mktemp -d /tmp/sluice-merge-bench.XXXX)
chmod 755 "$work"
url=$(bash "$here/scripts/pg-cluster.sh" start "$work/pg")
trap 'bash "$here/scripts/pg-cluster.sh" stop "$work/pg"; rm -rf "$work"' EXIT

run() {  # $1 = label, $2 = merge statement
  psql -X -q "$url" -v ON_ERROR_STOP=1 2>&1 <<EOF | grep -v NOTICE
SET client_min_messages = warning;
DROP TABLE IF EXISTS target, staged;
CREATE TABLE target (event_id uuid PRIMARY KEY, user_id bigint, amount double precision);
CREATE TABLE staged AS SELECT gen_random_uuid() AS event_id, (random() * 1e6)::bigint AS user_id, random() AS amount
  FROM generate_series(1, $rows);
ANALYZE staged;
CHECKPOINT;
SET work_mem = '256MB';
\\echo '$1, new keys:'
\\timing on
$2;
\\timing off
CHECKPOINT;
\\echo '$1, every key already there:'
\\timing on
$2;
\\timing off
EOF
}

run "sorted (DISTINCT ON)" "INSERT INTO target SELECT DISTINCT ON (event_id) * FROM staged ORDER BY event_id ON CONFLICT DO NOTHING"
run "unsorted" "INSERT INTO target SELECT * FROM staged ON CONFLICT DO NOTHING"
