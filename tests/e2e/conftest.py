"""End-to-end fixtures: the built `sluice` binary and a scratch folder per test."""
import os
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _binary():
    b = os.environ.get("SLUICE_BIN") or str(ROOT / ".build" / "debug" / "sluice")
    if not Path(b).exists():
        raise RuntimeError(f"sluice binary not found at {b}; run scripts/test.sh")
    return b


class Sluice:
    def __init__(self, cwd):
        self.bin = _binary()
        self.cwd = cwd

    def __call__(self, *args, check=True, timeout=600, env=None):
        e = dict(os.environ)
        if env:
            e.update(env)
        t0 = time.time()
        p = subprocess.run([self.bin, *map(str, args)], cwd=self.cwd, capture_output=True, text=True,
                           timeout=timeout, env=e, stdin=subprocess.DEVNULL)
        p.seconds = time.time() - t0
        if check and p.returncode != 0:
            raise AssertionError(f"sluice {' '.join(map(str, args))} exited {p.returncode}\n"
                                 f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
        return p

    def popen(self, *args):
        return subprocess.Popen([self.bin, *map(str, args)], cwd=self.cwd, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)


@pytest.fixture
def work(tmp_path):
    return tmp_path


@pytest.fixture
def sluice(work):
    return Sluice(work)


def write(path: Path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster on a free loopback port, stopped at the end of the session."""
    import tempfile
    base = tempfile.mkdtemp(prefix="sluice-pg-", dir="/tmp")
    os.chmod(base, 0o755)
    cluster = os.path.join(base, "cluster")
    url = subprocess.run(["bash", str(ROOT / "scripts" / "pg-cluster.sh"), "start", cluster],
                         check=True, capture_output=True, text=True).stdout.strip()
    try:
        yield url
    finally:
        subprocess.run(["bash", str(ROOT / "scripts" / "pg-cluster.sh"), "stop", cluster], check=False)
        os.rmdir(base)


# The telecom CSV's eight columns as a CSV source's `schema:` block (two-space indented).
TELECOM_SCHEMA = """  schema:
    square_id: int32
    time_interval: timestamp(ms)
    country_code: int32
    sms_in: float64
    sms_out: float64
    call_in: float64
    call_out: float64
    internet: float64
"""
