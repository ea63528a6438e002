"""The throwaway PostgreSQL the database tests run against: it starts, takes data, answers."""
import subprocess


def psql(url, sql, stdin=None):
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atc", sql], input=stdin,
                          capture_output=True, text=True, check=True).stdout.strip()


def test_cluster_accepts_copy_and_queries(postgres):
    assert postgres.startswith("postgresql://postgres@127.0.0.1:")
    psql(postgres, "CREATE TABLE t (a int8, b text)")
    psql(postgres, "COPY t FROM STDIN", stdin="".join(f"{i}\tx{i}\n" for i in range(1000)))
    assert psql(postgres, "SELECT count(*), sum(a), max(b) FROM t") == "1000|499500|x999"
    assert psql(postgres, "SHOW listen_addresses") == "127.0.0.1"
