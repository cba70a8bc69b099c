"""The Raspberry Pi 4 (rpi4 board) on QEMU 10's raspi4b.

Cases (raspi4b has four CPUs, always):
  rpi4.direct        the Image with the Pi 4 DTB, QEMU's boot stub: a complete
                     boot of four CPUs (spin-table release), as boot.* checks
  rpi4.uboot         U-Boot rpi_4 from the SD-card image, booti, bootargs
                     through faultline.env (kernel.tickcheck): complete boot
                     and every CPU's `ticks ok`
  rpi4.ktest         the kernel test suite (kernel.root=ktest) through U-Boot;
                     one result per test, rpi4.ktest/<test>
  rpi4.tests         the test server through U-Boot, without swap (the SD
                     image copy's swap partition dropped, as virt's runs
                     have no swap disk): every test program but swap_* (they
                     run in rpi4.swap, as on virt in their own boot); one
                     result per test, rpi4.tests/<test>
  rpi4.swap          the swap_* test programs through U-Boot with a small frame
                     budget, swapd keeping its slots in the SD image's swap
                     partition (SDHCI, PIO, interrupts); one result per test,
                     and rpi4.swap/swapd_malformed_requests (the pager's boot
                     check of swapd), rpi4.swap/swap_on_sd_card (swapd chose
                     the card and pages reached its swap partition),
                     rpi4.swap/fat_partition_intact (not one byte of the FAT
                     boot partition changed)
The images are the rpi4 build's (<build>/target-rpi4, built beside qemu-virt
by test/host/rpi4). If QEMU 10 cannot be installed, or the build could not
download U-Boot or the DTB, every case is a SKIP whose one line says why.
"""

import functools
import glob
import hashlib
import json
import os
import re
import subprocess

import harness
import raspi4b
from cases import Case

NCPUS = 4
SETTLE = 1.0
BOOT_TIMEOUT = 180.0
KTEST_TIMEOUT = 400.0
TESTS_TIMEOUT = 900.0
FRAMES = 8192  # the pager's frame pool for the test server, as on virt
# The swap tests with a quarter of virt's budget (test/swap: 512 frames, 4096
# slots): their sizes follow the budget and the slots, and on raspi4b every
# page crosses the SD controller's data port a word at a time, each word an
# MMIO exit under TCG (about 200 times virtio's per page), so a quarter of
# the pages keeps the case to minutes. 600 s per test is generous on a busy
# machine (swap_parallel_processes, four processes thrashing, is the
# longest); a hang still fails, named.
SWAP_FRAMES = 128
SWAP_SLOTS = 1024
SWAP_TEST_TIMEOUT = 600
SWAP_TIMEOUT = 2400.0
SKIP = re.compile(r"^SKIP (\S+): (.*)$")


def _skip(case, why):
    return harness.Result(case.name, "skip", why)


def _run(ctx, case, uboot, bootargs, until):
    """Boot raspi4b without swap (as virt's boot and test-server cases run
    without a swap disk: the out-of-memory tests need memory to run out);
    returns the harness Run. Raises raspi4b.Unavailable."""
    work = ctx.log_path(case.name, ".d")
    argv = raspi4b.command(ctx.build, work, uboot=uboot, bootargs=bootargs, swap=False)
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


def _partitions(img):
    """The SD image's partitions: (first byte, bytes, sfdisk's type) each."""
    p = subprocess.run(["sfdisk", "--json", img], capture_output=True, text=True, check=True)
    return [(q["start"] * 512, q["size"] * 512, q["type"])
            for q in json.loads(p.stdout)["partitiontable"]["partitions"]]


def _digest(img, start, size):
    """SHA-256 of size bytes of img from start, and whether any is non-zero."""
    h, nonzero = hashlib.sha256(), False
    with open(img, "rb") as f:
        f.seek(start)
        left = size
        while left:
            chunk = f.read(min(left, 1 << 20))
            if not chunk:
                break
            h.update(chunk)
            nonzero = nonzero or chunk.count(0) != len(chunk)
            left -= len(chunk)
    return h.hexdigest(), nonzero


def _swap(ctx, case):
    """The swap tests through U-Boot, swap on the SD card; then check the
    card: the FAT partition unchanged, the swap partition written."""
    work = ctx.log_path(case.name, ".d")
    bootargs = ("pager.frames=%d swap.slots=%d tests.timeout=%d tests=swap_*"
                % (SWAP_FRAMES, SWAP_SLOTS, SWAP_TEST_TIMEOUT))
    try:
        argv = raspi4b.command(ctx.build, work, uboot=True, bootargs=bootargs)
    except raspi4b.Unavailable as e:
        return _skip(case, str(e))
    sd = os.path.join(work, "sd.img")
    try:
        parts = _partitions(sd)
        fat = next(p for p in parts if p[2] == "c")
        swap = next(p for p in parts if p[2] == "82")
        fat_before, _ = _digest(sd, fat[0], fat[1])
        run = harness.run(argv, ctx.log_path(case.name), case.timeout,
                          until=lambda t: t.summary is not None, settle=SETTLE)
        fat_after, _ = _digest(sd, fat[0], fat[1])
        _, swap_written = _digest(sd, swap[0], swap[1])
    finally:
        if os.path.exists(sd):
            os.unlink(sd)
    results = harness.server_results(run, case.name)
    if run.transcript.panicked and not any(r.status == "fail" for r in results):
        results.append(harness.Result(case.name, "fail", run.describe(), run.log_path))
    lines = run.transcript.lines

    def check(name, ok, why):
        results.append(harness.Result(name, "pass" if ok else "fail", "" if ok else why,
                                      run.log_path, run.seconds))

    check("swapd_malformed_requests", any("swap check: swapd refused" in l for l in lines),
          "no 'swap check' success line from the pager")
    on_card = any(l.startswith("swapd: swap on SD card") for l in lines)
    check("swap_on_sd_card", on_card and swap_written,
          "swapd did not choose the SD card" if not on_card
          else "no byte of the swap partition was written")
    check("fat_partition_intact", fat_before == fat_after,
          "the FAT boot partition changed during the run")
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
        case("rpi4.swap", _swap, SWAP_TIMEOUT),
    ]
