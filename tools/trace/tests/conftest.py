"""Shared fixtures of the fltrace tests: the recorded dumps and a runner of the CLI."""
import gzip
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.dirname(HERE)
FIXTURES = os.path.join(HERE, "fixtures")
sys.path.insert(0, TOOL)

from fltrace.headers import KernelFacts  # noqa: E402
from fltrace.names import Namer, load_irs  # noqa: E402


def fixture_lines(name):
    """The lines of a recorded serial log in fixtures/ (gzip)."""
    with gzip.open(os.path.join(FIXTURES, name), "rt", encoding="utf-8") as f:
        return f.read().splitlines(keepends=True)


@pytest.fixture(scope="session")
def facts():
    return KernelFacts()


@pytest.fixture(scope="session")
def namer(facts):
    return Namer(facts, load_irs()[0])


@pytest.fixture
def ktest_log():
    """A real dump: the whole kernel test suite on 2 CPUs booted with kernel.trace."""
    return fixture_lines("ktest_smp2.log.gz")


@pytest.fixture
def run_tool(tmp_path):
    """run_tool(lines) -> (exit status, stderr, out prefix): the CLI on a log with those lines."""
    def run(lines, *extra):
        log = tmp_path / "serial.log"
        log.write_text("".join(lines), encoding="utf-8")
        prefix = str(tmp_path / "out")
        p = subprocess.run([sys.executable, os.path.join(TOOL, "fltrace.py"), str(log), "--out-prefix", prefix,
                            "--quiet", *extra], capture_output=True, text=True, env=dict(os.environ,
                                                                                          PYTHONDONTWRITEBYTECODE="1"))
        return p.returncode, p.stderr, prefix
    return run
