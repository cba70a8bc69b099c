"""The in-system test server (test/testserver) on QEMU virt.

Each case boots the kernel Image; the pager starts `testserver` as its init
process, which runs every test program of the boot archive (test/programs
and EXTRA_TEST_DIRS) and prints `RUN name`, `PASS name` or `FAIL name:
reason` per test, then `N passed, N failed`. Every in-system test becomes
one result named `tests.smpN/<test>`; a panic or a hang fails the test that
was running. The swap tests are skipped here (tests.skip=swap_*): they need
the swap disk of test/swap/qemu_suite.py. The frame pool is kept small (`pager.frames`), so memory
pressure is real and the boot is quick.

With `./faultline test --soak S` a further case runs the SMP stress test
alone on four CPUs for S seconds (bootarg `stress.seconds=S`).
"""

import functools

import harness
import machine
from cases import Case

# Frames the pager may hand out: 12 MiB. Enough for the largest test (8 MiB
# of stack), small enough that two thirds of it fill quickly.
FRAMES = 3072

# The swap tests need a swap disk: test/swap/qemu_suite.py runs them.
SKIP = "tests.skip=swap_*"

# Each test's time limit (tests.timeout). The guest counter runs at
# wall-clock speed under TCG, so the limit is wall-clock time on a shared
# machine: smp_stress on four CPUs took 55 s of the default 60 under a load
# of 20 on two cores. A real hang still ends within the whole run's TIMEOUT.
LIMIT = "tests.timeout=180"

# Seconds for the whole run under TCG (the tests take about a minute).
TIMEOUT = 600.0


def _tests(ctx, case, smp, bootargs=""):
    """Boot the test server on `smp` CPUs; one Result per in-system test."""
    args = "pager.frames=%d pager.init=testserver %s %s %s" % (FRAMES, SKIP, LIMIT, bootargs)
    m = machine.Machine(kernel=machine.kernel_image(ctx.build), smp=smp, mem="512M",
                        bootargs=args.strip())
    run = harness.run(m.command(ctx.log_path(case.name, ".d")), ctx.log_path(case.name),
                      case.timeout, until=lambda t: t.summary is not None, settle=1.0)
    results = harness.server_results(run, case.name)
    if run.transcript.panicked and not any(r.status == "fail" for r in results):
        results.append(harness.Result(case.name, "fail", run.describe(), run.log_path))
    for r in results:
        if r.name != case.name:
            r.name = "%s/%s" % (case.name, r.name)
    return results


def cases(ctx):
    """Every test program on one CPU and on four; with --soak, the soak."""
    out = [
        Case("tests.smp1", functools.partial(_tests, smp=1), cpus=1, timeout=TIMEOUT),
        Case("tests.smp4", functools.partial(_tests, smp=4), cpus=4, timeout=TIMEOUT),
    ]
    if ctx.soak:
        seconds = max(1, int(ctx.soak))
        out.append(Case("tests.soak-smp4",
                        functools.partial(_tests, smp=4, bootargs="tests=smp_stress "
                                          "stress.seconds=%d" % seconds),
                        cpus=4, timeout=seconds + TIMEOUT))
    return out
