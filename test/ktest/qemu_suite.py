"""The kernel's in-system test suite (test/ktest) on QEMU virt.

Each case boots the kernel Image with `kernel.root=ktest`, so the ktest
program is the root task. It prints `RUN name` and `PASS name` or `FAIL
name: reason` per test, `SKIP name: reason` for a test the machine cannot
run (IPC across CPUs on one CPU), then `N passed, N failed` and powers the
machine off. Every in-system test becomes one result named
`ktest.smpN/<test>`; a panic or a hang fails the test that was running.
"""

import functools
import re

import harness
import machine
from cases import Case

SKIP = re.compile(r"^SKIP (\S+): (.*)$")

# Seconds for the whole suite under TCG (the slowest tests wait up to 5 s).
TIMEOUT = 300.0


def _ktest(ctx, case, smp):
    """Boot ktest on `smp` CPUs; one Result per in-system test."""
    m = machine.Machine(kernel=machine.kernel_image(ctx.build), smp=smp, mem="512M",
                        bootargs="kernel.root=ktest")
    run = harness.run(m.command(ctx.log_path(case.name, ".d")), ctx.log_path(case.name),
                      case.timeout, until=lambda t: t.summary is not None, settle=1.0)
    results = harness.server_results(run, case.name)
    t = run.transcript
    for line in t.lines:
        s = SKIP.match(line)
        if s:
            results.append(harness.Result(s.group(1), "skip", s.group(2), run.log_path))
    if t.panicked and not any(r.status == "fail" for r in results):
        results.append(harness.Result(case.name, "fail", run.describe(), run.log_path))
    for r in results:
        if r.name != case.name:
            r.name = "%s/%s" % (case.name, r.name)
    return results


def cases(ctx):
    """ktest on one CPU and on four."""
    return [
        Case("ktest.smp1", functools.partial(_ktest, smp=1), cpus=1, quick=True, timeout=TIMEOUT),
        Case("ktest.smp4", functools.partial(_ktest, smp=4), cpus=4, quick=True, timeout=TIMEOUT),
    ]
