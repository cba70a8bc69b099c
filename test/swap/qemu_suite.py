"""The swap test programs (test/programs/swap_*.c) on QEMU virt with a swap
disk: a fresh sparse 64 MiB file in the build tree, swapd on modern
virtio-mmio, a frame budget of 512 frames (2 MiB) so three times the
budget is quick to touch, and swap limited to 4096 slots (swap.slots) so a
test can fill it. One boot on one CPU and one on four; every in-system
test becomes one result named `swap.smpN/<test>`. docs/swap.md.
"""

import functools

import harness
import machine
from cases import Case

FRAMES = 512
SLOTS = 4096
TIMEOUT = 600.0
# Per test: swap tests push a few thousand pages through a disk under TCG on a
# busy machine; 150 s is generous, a hang still fails (named) at the limit.
TEST_TIMEOUT = 150


def _swap_tests(ctx, case, smp):
    """Boot the test server with swap on `smp` CPUs, tests=swap_*."""
    m = machine.Machine(kernel=machine.kernel_image(ctx.build), smp=smp, mem="512M",
                        bootargs="pager.frames=%d swap.slots=%d tests.timeout=%d tests=swap_*"
                        % (FRAMES, SLOTS, TEST_TIMEOUT),
                        swap=machine.swap_disk(ctx.build))
    run = harness.run(m.command(ctx.log_path(case.name, ".d")), ctx.log_path(case.name),
                      case.timeout, until=lambda t: t.summary is not None, settle=1.0)
    results = harness.server_results(run, case.name)
    if run.transcript.panicked and not any(r.status == "fail" for r in results):
        results.append(harness.Result(case.name, "fail", run.describe(), run.log_path))
    if not any("swap check: swapd refused" in line for line in run.transcript.lines):
        results.append(harness.Result(case.name + "/swapd_malformed_requests", "fail",
                                      "no 'swap check' success line from the pager",
                                      run.log_path))
    for r in results:
        if r.name != case.name and not r.name.startswith(case.name + "/"):
            r.name = "%s/%s" % (case.name, r.name)
    return results


def cases(ctx):
    """The swap tests on one CPU and on four."""
    return [
        Case("swap.smp1", functools.partial(_swap_tests, smp=1), cpus=1, timeout=TIMEOUT),
        Case("swap.smp4", functools.partial(_swap_tests, smp=4), cpus=4, timeout=TIMEOUT),
    ]
