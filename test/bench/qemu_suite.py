"""The benchmark programs run to the end and their output parses.

One case per program of tools/bench/bench.py: it boots the program in
exact mode exactly as `./faultline bench` does and passes when the console
keeps the contract (tools/bench/benchfmt.py) and reports every figure the
program owes. Benchmarks are not tests: how high a figure is never fails a
case.
"""

import functools
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "tools", "bench"))

import bench  # noqa: E402
import harness  # noqa: E402
from cases import Case  # noqa: E402


def _runs_and_parses(ctx, case, program):
    log = ctx.log_path(case.name)
    _, problem = bench.run_program(program, ctx.build, "cortex-a72", case.timeout, log)
    if problem:
        return harness.Result(case.name, "fail", problem, log)
    return harness.Result(case.name, "pass", "", log)


def cases(ctx):
    """A case per benchmark program."""
    return [Case("bench." + p.label, functools.partial(_runs_and_parses, program=p),
                 cpus=p.smp, quick=p.quick, timeout=p.test_timeout)
            for p in bench.PROGRAMS]
