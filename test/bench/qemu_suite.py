"""The benchmark programs run to the end and their output parses.

One case per program of tools/bench/bench.py: it boots the program in
exact mode exactly as `./faultline bench` does and passes when the console
keeps the contract (tools/bench/benchfmt.py) and reports every figure the
program owes. Benchmarks are not tests: how high a figure is never fails a
case. bench.swap_exact boots the swap program twice and fails unless the
figures are identical: the swap path waits for a real disk, and keeping
the host out of its count is behaviour (docs/benchmarks.md).
bench.breakdown is the breakdown boot: its four phases must come out of
the execution log and add up to about the zero-fill fault its console
measured.
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
    # A swap program gets a disk of its own beside its log, so a
    # `./faultline bench` running at the same time (build/bench-swap.img)
    # and this case never write one disk together.
    disk = ctx.log_path(case.name, ".swap.img") if program.swap else None
    if disk:
        os.makedirs(os.path.dirname(disk), exist_ok=True)
    _, problem = bench.run_program(program, ctx.build, "cortex-a72", case.timeout, log, disk=disk)
    if problem:
        return harness.Result(case.name, "fail", problem, log)
    return harness.Result(case.name, "pass", "", log)


def _repeats_exactly(ctx, case, program):
    """Boot program twice; pass if both runs complete with identical
    figures (docs/benchmarks.md, "Swap figures": the swap path is kept
    exact by the tickless idle loop, pager.evictor=off and swapd taking its
    interrupt only when it waits; any of them broken shows here)."""
    reports = []
    disk = ctx.log_path(case.name, ".swap.img")  # its own, as bench.swap has
    os.makedirs(os.path.dirname(disk), exist_ok=True)
    for i in range(2):
        log = ctx.log_path(case.name, ".log" if i == 0 else ".2.log")
        report, problem = bench.run_program(program, ctx.build, "cortex-a72", case.timeout / 2,
                                            log, disk=disk)
        if problem:
            return harness.Result(case.name, "fail", problem, log)
        reports.append(report)
    diff = bench.differences(reports[0], reports[1])
    if diff:
        return harness.Result(case.name, "fail", "run 2 differs from run 1: " + "; ".join(diff),
                              log)
    return harness.Result(case.name, "pass", "", log)


def _breakdown_adds_up(ctx, case, program):
    """The breakdown boot: the four phases of the profiled fault come out,
    each above 0 but the map invocation (0 now: the map travels in the
    fault reply), and together they are the fault's window, within 10% of
    the console's fault.zero_fill median (the window runs from the store
    to its retry; the median adds the counter read and subtracts its
    overhead)."""
    log = ctx.log_path(case.name)
    qemu_log = ctx.log_path(case.name, ".qemu.log")
    os.makedirs(os.path.dirname(qemu_log), exist_ok=True)
    console, phases, problem = bench.run_profile(program, ctx.build, "cortex-a72", case.timeout,
                                                 log, qemu_log=qemu_log)
    if problem:
        return harness.Result(case.name, "fail", problem, log)
    zero = [p for p in phases if phases[p] <= 0 and p != "map invocation"]
    if len(phases) != 4 or zero:
        return harness.Result(case.name, "fail", "phases %s (zero: %s)" % (dict(phases), zero),
                              log)
    total, median = sum(phases.values()), console.figures["fault.zero_fill"].median
    if abs(total - median) > median // 10:
        return harness.Result(case.name, "fail", "the phases add up to %d, the fault's median "
                              "is %d: %s" % (total, median, dict(phases)), log)
    return harness.Result(case.name, "pass", "", log)


def cases(ctx):
    """A case per benchmark program (the breakdown boot checked by
    _breakdown_adds_up), and the swap program's repeat check."""
    swap = [p for p in bench.PROGRAMS if p.label == "swap"][0]
    return [Case("bench." + p.label, functools.partial(
        _breakdown_adds_up if p.profile else _runs_and_parses, program=p),
                 cpus=p.smp, quick=p.quick, timeout=p.test_timeout)
            for p in bench.PROGRAMS] + [
        Case("bench.swap_exact", functools.partial(_repeats_exactly, program=swap),
             cpus=swap.smp, quick=False, timeout=2 * swap.test_timeout)]
