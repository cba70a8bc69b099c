"""The Raspberry Pi 4 (rpi4 board) on QEMU 10's raspi4b.

Cases (raspi4b has four CPUs, always):
  rpi4.direct        the Image with the Pi 4 DTB, QEMU's boot stub: a complete
                     boot of four CPUs (spin-table release), as boot.* checks
  rpi4.uboot         U-Boot rpi_4 from the SD-card image, booti, bootargs
                     through faultline.env (kernel.tickcheck): complete boot
                     and every CPU's `ticks ok`
  rpi4.ktest         the kernel test suite (kernel.root=ktest) through U-Boot;
                     one result per test, rpi4.ktest/<test>
  rpi4.tests         the test server through U-Boot: every test program but
                     swap_* (no swap device on this board yet: docs/rpi4.md);
                     one result per test, rpi4.tests/<test>
The images are the rpi4 build's (<build>/target-rpi4, built beside qemu-virt
by test/host/rpi4). If QEMU 10 cannot be installed, or the build could not
download U-Boot or the DTB, every case is a SKIP whose one line says why.
"""

import functools
import glob
import os
import re

import harness
import raspi4b
from cases import Case

NCPUS = 4
SETTLE = 1.0
BOOT_TIMEOUT = 180.0
KTEST_TIMEOUT = 400.0
TESTS_TIMEOUT = 900.0
FRAMES = 8192  # the pager's frame pool for the test server, as on virt
SKIP = re.compile(r"^SKIP (\S+): (.*)$")


def _skip(case, why):
    return harness.Result(case.name, "skip", why)


def _run(ctx, case, uboot, bootargs, until):
    """Boot raspi4b; returns the harness Run. Raises raspi4b.Unavailable."""
    work = ctx.log_path(case.name, ".d")
    argv = raspi4b.command(ctx.build, work, uboot=uboot, bootargs=bootargs)
    try:
        return harness.run(argv, ctx.log_path(case.name), case.timeout, until=until,
                           settle=SETTLE)
    finally:
        sd = os.path.join(work, "sd.img")
        if os.path.exists(sd):
            os.unlink(sd)  # 64 MiB per case; the log keeps what happened


def _boot(ctx, case, uboot, tickcheck):
    """A complete boot of all four CPUs (and their ticks with tickcheck)."""
    def problems(t):
        p = t.boot_problems(NCPUS)
        if tickcheck:
            missing = [n for n in range(NCPUS) if n not in t.ticks_ok]
            if missing:
                p.append("no 'cpu N: ticks ok' for cpu %s" % ", ".join(map(str, missing)))
        return p

    try:
        run = _run(ctx, case, uboot, "kernel.tickcheck" if tickcheck else "",
                   until=lambda t: not problems(t))
    except raspi4b.Unavailable as e:
        return _skip(case, str(e))
    found = problems(run.transcript)
    if run.transcript.panicked and not found:
        found.append("kernel panic after a complete boot: "
                     + " / ".join(run.transcript.panic_report(2)))
    if not found:
        return harness.Result(case.name, "pass", "", run.log_path, run.seconds)
    why = "; ".join(found)
    if run.reason != "stopped":
        why += " (%s)" % run.describe()
    return harness.Result(case.name, "fail", why, run.log_path, run.seconds)


def _server(ctx, case, bootargs):
    """Boot an in-system suite through U-Boot; one Result per test."""
    try:
        run = _run(ctx, case, True, bootargs, until=lambda t: t.summary is not None)
    except raspi4b.Unavailable as e:
        return _skip(case, str(e))
    results = harness.server_results(run, case.name)
    for line in run.transcript.lines:
        s = SKIP.match(line)
        if s:
            results.append(harness.Result(s.group(1), "skip", s.group(2), run.log_path))
    if run.transcript.panicked and not any(r.status == "fail" for r in results):
        results.append(harness.Result(case.name, "fail", run.describe(), run.log_path))
    for r in results:
        if r.name != case.name:
            r.name = "%s/%s" % (case.name, r.name)
    return results


def test_families(repo):
    """tests= patterns for every test program family but swap_*: one
    `family_*` per name prefix in test/programs (the whole name list would
    pass the test server's 200-character limit)."""
    names = [os.path.basename(p)[:-2] for p in glob.glob(os.path.join(repo, "test/programs/*.c"))]
    families = sorted(set(n.split("_")[0] for n in names if not n.startswith("swap_")))
    return ",".join(f + "_*" for f in families)


def cases(ctx):
    """The rpi4 cases; each occupies four cores' worth of slots."""
    def case(name, run, timeout, quick=False):
        return Case(name, run, cpus=NCPUS, quick=quick, timeout=timeout)

    tests = "pager.frames=%d tests=%s" % (FRAMES, test_families(ctx.repo))
    return [
        case("rpi4.direct", functools.partial(_boot, uboot=False, tickcheck=False),
             BOOT_TIMEOUT, quick=True),
        case("rpi4.uboot", functools.partial(_boot, uboot=True, tickcheck=True), BOOT_TIMEOUT),
        case("rpi4.ktest", functools.partial(_server, bootargs="kernel.root=ktest"),
             KTEST_TIMEOUT),
        case("rpi4.tests", functools.partial(_server, bootargs=tests), TESTS_TIMEOUT),
    ]
