"""Bad pipeline files fail fast, name the file, line and key, and create nothing."""
import time

from conftest import write

GOOD = """name: t
source:
  type: csv
  paths: [in.csv]
  schema: {a: int64, b: string}
transforms:
  - derive: {c: "a * 2"}
sink:
  type: sqlite
  path: out/t.sqlite
  table: t
"""


def _fails(work, sluice, text, *needles):
    write(work / "in.csv", "a,b\n1,x\n")
    write(work / "p.yml", text)
    for cmd in ("validate", "run"):
        t0 = time.time()
        r = sluice(cmd, "p.yml", check=False)
        elapsed = time.time() - t0
        assert r.returncode != 0, r.stdout + r.stderr
        assert elapsed < 1.0, elapsed
        for n in needles:
            assert n in r.stderr, (n, r.stderr)
        assert not (work / "out").exists()
        assert not (work / ".sluice").exists()
    return r.stderr


def test_good_pipeline_validates(work, sluice):
    write(work / "in.csv", "a,b\n1,x\n")
    write(work / "p.yml", GOOD)
    r = sluice("validate", "p.yml")
    assert "ok" in r.stdout and "c: int64" in r.stdout
    assert not (work / "out").exists() and not (work / ".sluice").exists()


def test_typo_in_key(work, sluice):
    err = _fails(work, sluice, GOOD.replace("  table: t", "  tabel: t"), "p.yml:11:", "sink.tabel", "did you mean 'table'")
    assert "unknown key" in err


def test_wrong_type(work, sluice):
    _fails(work, sluice, GOOD.replace("b: string", "b: strng"), "p.yml:5:", "source.schema.b", "unknown type 'strng'")
    _fails(work, sluice, GOOD.replace("name: t\n", "name: t\nworkers: many\n"), "p.yml:2:", "workers", "whole number")


def test_missing_file(work, sluice):
    _fails(work, sluice, GOOD.replace("[in.csv]", "[nothere.csv]"), "p.yml:4:", "source.paths", "nothere.csv")


def test_missing_sink(work, sluice):
    _fails(work, sluice, GOOD[:GOOD.index("sink:")], "p.yml:1:", "missing required key 'sink'")


def test_bad_expression_and_unknown_column(work, sluice):
    _fails(work, sluice, GOOD.replace('"a * 2"', '"a * "'), "p.yml:7:", "transforms[0].derive.c")
    _fails(work, sluice, GOOD.replace('"a * 2"', '"aa * 2"'), "p.yml:7:", "unknown column 'aa'")


def test_unset_environment_variable(work, sluice):
    _fails(work, sluice, GOOD.replace("out/t.sqlite", "${OUT_DIR}/t.sqlite"), "p.yml:10:", "OUT_DIR is not set")


def test_environment_substitution_with_default(work, sluice):
    write(work / "in.csv", "a,b\n1,x\n2,y\n")
    write(work / "p.yml", GOOD.replace("out/t.sqlite", "${OUT_DIR:-out}/t.sqlite"))
    r = sluice("run", "p.yml", env={"OUT_DIR": "elsewhere"})
    assert (work / "elsewhere" / "t.sqlite").exists() and "2 rows written" in r.stderr
