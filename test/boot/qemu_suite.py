"""The boot matrix: Faultline boots on every supported QEMU virt setup.

Each case boots the kernel Image (or the U-Boot disk) and passes once the
console shows the complete boot the contract describes: the banner, `cpu N
online` exactly once for every CPU, and `all N cpus idle` (plus every CPU's
`ticks ok` where kernel.tickcheck is given), and nothing goes wrong in the
second after that. A panic, a timeout or QEMU exiting first fails the case
with what was missing. The malformed-DTB case
passes only if the kernel says `DTB:` and panics instead of hanging.
"""

import functools
import os

import baddtb
import harness
import machine
from cases import Case

# Seconds a boot case keeps reading after the boot looked complete, so that a
# panic or a second `cpu N online` right after it (the first ticks, the idle
# loop) fails the case instead of passing unseen.
SETTLE = 1.0

# The pager starts no init process (none is in the boot archive under this
# name), so every CPU reaches the idle loop soon after boot. With the default
# init (the in-system test server) a CPU may stay busy for minutes, and with
# -smp 1 `all 1 cpus idle` only comes when the tests are over. The U-Boot case
# on U-Boot's built-in environment cannot pass bootargs and boots the default.
QUIET_INIT = "pager.init=none"


def _verdict(case, run, problems):
    """A Result: pass if `problems` is empty, else the problems and how the run ended."""
    if not problems:
        return harness.Result(case.name, "pass", "", run.log_path, run.seconds)
    why = "; ".join(problems)
    if run.reason != "stopped":
        why += " (%s)" % run.describe()
    return harness.Result(case.name, "fail", why, run.log_path, run.seconds)


def _boot(ctx, case, smp=2, tickcheck=False, uboot=False, uboot_default_env=False, swap=False,
          **opts):
    """Boot with `opts` and check the complete boot of `smp` CPUs. With
    `swap`, a swap disk is attached as `./faultline run` does (through U-Boot
    it then comes before the boot disk in virtio order)."""
    args = [] if uboot_default_env else [QUIET_INIT]
    args += ["kernel.tickcheck"] if tickcheck else []
    m = machine.Machine(smp=smp, bootargs=" ".join(args), **opts)
    if uboot:
        m.uboot_disk = machine.uboot_disk(ctx.build)
        m.uboot_default_env = uboot_default_env
    else:
        m.kernel = machine.kernel_image(ctx.build)
    if swap:
        m.swap = ctx.log_path(case.name, ".swap.img")
        os.makedirs(os.path.dirname(m.swap), exist_ok=True)
        with open(m.swap, "wb") as f:
            f.truncate(machine.SWAP_SIZE)

    def problems(t):
        p = t.boot_problems(smp)
        if tickcheck:
            missing = [n for n in range(smp) if n not in t.ticks_ok]
            if missing:
                p.append("no 'cpu N: ticks ok' for cpu %s" % ", ".join(map(str, missing)))
        return p

    def hopeless(t):
        # Lines that can never be undone: stop now instead of at the timeout.
        wrong_idle = t.all_idle is not None and t.all_idle != smp
        return wrong_idle or any(n >= smp or t.online.count(n) > 1 for n in t.online)

    argv = m.command(ctx.log_path(case.name, ".d"))
    run = harness.run(argv, ctx.log_path(case.name), case.timeout,
                      until=lambda t: not problems(t) or hopeless(t), settle=SETTLE)
    found = problems(run.transcript)
    if run.transcript.panicked and not found:
        found.append("kernel panic after a complete boot: "
                     + " / ".join(run.transcript.panic_report(2)))
    return _verdict(case, run, found)


def _bad_dtb(ctx, case):
    """Boot with QEMU's DTB whose /cpus properties name no valid string."""
    kernel = machine.kernel_image(ctx.build)
    good = ctx.log_path(case.name, ".good.dtb")
    bad = ctx.log_path(case.name, ".dtb")
    os.makedirs(os.path.dirname(good), exist_ok=True)
    baddtb.dump_qemu_dtb(good, smp=2)
    with open(good, "rb") as f:
        blob = f.read()
    with open(bad, "wb") as f:
        f.write(baddtb.break_property_names(blob, "/cpus"))
    m = machine.Machine(kernel=kernel, smp=2, dtb=bad)
    run = harness.run(m.command(ctx.log_path(case.name, ".d")), ctx.log_path(case.name),
                      case.timeout, panic_grace=1.0)
    t = run.transcript
    problems = []
    if not t.dtb_errors:
        problems.append("no 'DTB:' line")
    if not t.panicked:
        problems.append("no KERNEL PANIC")
    elif t.dtb_errors and t.lines.index(t.dtb_errors[0]) > t.panic_at:
        problems.append("'DTB:' line came after the panic report began")
    if t.online:
        problems.append("cpu %s came online on an unreadable DTB" % t.online[0])
    result = _verdict(case, run, problems)
    if not problems:
        return result
    if run.reason == "panic":
        result.reason += " (panic: %s)" % " / ".join(t.panic_report(2))
    return result


def cases(ctx):
    """The boot-matrix cases, in the order they are reported."""
    def boot(name, cpus=2, quick=False, **opts):
        return Case(name, functools.partial(_boot, **dict(opts, smp=cpus)), cpus=cpus, quick=quick)

    return [
        boot("boot.smp1", cpus=1),
        boot("boot.smp2", cpus=2, quick=True),
        boot("boot.smp4", cpus=4),
        boot("boot.smp8", cpus=8),
        boot("boot.gicv2", gic=2),
        boot("boot.gicv3", gic=3, quick=True),
        boot("boot.el2", el2=True, quick=True),
        boot("boot.cpu-max", cpu="max"),
        boot("boot.tickcheck-smp4", cpus=4, tickcheck=True),
        boot("boot.uboot", uboot=True, uboot_default_env=True, quick=True),
        boot("boot.uboot-bootargs-tickcheck", uboot=True, tickcheck=True, swap=True),
        Case("boot.bad-dtb", _bad_dtb, cpus=2, quick=True),
    ]
