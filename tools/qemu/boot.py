#!/usr/bin/python3
"""Boot Faultline in QEMU: the engine behind `./faultline run`.

    boot.py --build DIR [--smp N] [--mem SIZE] [--board B] [--uboot] [--gic 2|3]
            [--el2] [--cpu MODEL] [--gdb] [--timeout S] [--icount] [-- BOOTARGS...]

--board rpi4 boots the rpi4 build on QEMU 10's raspi4b (boards/rpi4/raspi4b.py):
the Image directly with the Pi 4 DTB and a copy of the SD image attached (its
swap partition is swapd's swap area), or with --uboot U-Boot rpi_4 from that
copy. raspi4b is fixed hardware: --smp other than 4, --mem, --gic 3 and a
--cpu other than cortex-a72 are refused with one line.

On a terminal without --timeout, QEMU takes over the terminal (Ctrl-A x
quits, Ctrl-A c is the monitor). Otherwise the harness runs it: the console
is echoed, logged to <build>/logs/run.log, and QEMU is stopped after
--timeout seconds, on a kernel panic, or on Ctrl-C.
Exit status: QEMU's own when it exits (0 after SYSTEM_OFF; on rpi4, which has
no PSCI, 0 when the kernel prints `system off`), 0 when stopped by --timeout,
1 on a kernel panic, 2 on bad options or a missing image.
"""

import argparse
import os
import shlex
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "boards", "rpi4"))

import harness  # noqa: E402
import machine  # noqa: E402
import raspi4b  # noqa: E402


def parse(argv):
    """Parse options; everything after `--` becomes the kernel bootargs."""
    bootargs = []
    if "--" in argv:
        i = argv.index("--")
        argv, bootargs = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser(prog="faultline run", description="Boot Faultline in QEMU.")
    ap.add_argument("--build", default="build", help="build directory (default: build)")
    ap.add_argument("--smp", type=int, help="number of CPUs (default 2; rpi4: 4)")
    ap.add_argument("--mem", help="memory size, as QEMU -m takes it (default 1G; not rpi4)")
    ap.add_argument("--board", default="qemu-virt", choices=("qemu-virt", "rpi4"),
                    help="board (default qemu-virt; rpi4: QEMU 10 raspi4b)")
    ap.add_argument("--uboot", action="store_true", help="boot through U-Boot from the disk image")
    ap.add_argument("--gic", type=int, choices=(2, 3), help="GIC version (default: QEMU's, v2)")
    ap.add_argument("--el2", action="store_true", help="enter at EL2 (virtualization=on)")
    ap.add_argument("--cpu", help="CPU model: cortex-a72 (default) or max (not rpi4)")
    ap.add_argument("--gdb", action="store_true", help="wait for gdb-multiarch on :1234")
    ap.add_argument("--timeout", type=float, help="stop QEMU after this many seconds")
    ap.add_argument("--icount", action="store_true",
                    help="exact mode: one guest instruction per nanosecond")
    args = ap.parse_args(argv)
    args.bootargs = " ".join(bootargs)
    return args


def virt_command(args, build, workdir, interactive):
    """The QEMU virt argv for these options (with the swap disk)."""
    m = machine.Machine(smp=args.smp or 2, mem=args.mem or "1G", cpu=args.cpu or "cortex-a72",
                        gic=args.gic, el2=args.el2, icount=args.icount,
                        bootargs=args.bootargs, gdb=args.gdb, board=args.board)
    m.swap = machine.swap_disk(build)
    if args.uboot:
        m.uboot_disk = machine.uboot_disk(build)
    else:
        m.kernel = machine.kernel_image(build)
    return m.command(workdir, interactive=interactive)


def rpi4_command(args, build, workdir, interactive):
    """The QEMU 10 raspi4b argv for these options (the SD image attached).
    --el2 needs nothing: the Pi 4 always enters at EL2."""
    raspi4b.check_run_options(smp=args.smp, mem=args.mem, gic=args.gic, cpu=args.cpu)
    return raspi4b.command(build, workdir, uboot=args.uboot, bootargs=args.bootargs, sd=True,
                           gdb=args.gdb, icount=args.icount, interactive=interactive)


def powered_off(transcript):
    """Has the kernel said it powers off? The Pi 4 has no PSCI, so its CPUs
    just stop there and QEMU would run on."""
    return any(l.startswith("system off (requested by") for l in transcript.lines[-3:])


def main(argv):
    args = parse(argv)
    build = os.path.abspath(args.build)
    logs = os.path.join(build, "logs")
    interactive = sys.stdin.isatty() and args.timeout is None
    try:
        if args.board == "rpi4":
            argv_qemu = rpi4_command(args, build, os.path.join(logs, "run"), interactive)
            elf = os.path.join(raspi4b.images_dir(build), "faultline.elf")
        else:
            argv_qemu = virt_command(args, build, os.path.join(logs, "run"), interactive)
            elf = machine.kernel_elf(build)
    except (ValueError, machine.MissingImage, raspi4b.Missing, raspi4b.Unavailable) as e:
        print("faultline run: %s" % e, file=sys.stderr)
        return 2
    if args.gdb:
        print("QEMU waits for gdb. In another terminal:\n  gdb-multiarch %s -ex 'target remote :1234'"
              % shlex.quote(elf), file=sys.stderr, flush=True)
    if interactive:
        print("faultline run: %s\n(Ctrl-A x quits QEMU)" % shlex.join(argv_qemu),
              file=sys.stderr, flush=True)
        os.execvp(argv_qemu[0], argv_qemu)
    # Let a SIGTERM aimed at us stop QEMU too (the harness cleans up on exceptions).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    out = sys.stdout.buffer

    def echo(chunk):
        out.write(chunk)
        out.flush()

    try:
        r = harness.run(argv_qemu, os.path.join(logs, "run.log"), args.timeout, echo=echo,
                        until=powered_off if args.board == "rpi4" else None)
    except KeyboardInterrupt:
        print("\nfaultline run: interrupted; QEMU stopped", file=sys.stderr)
        return 130
    print(file=sys.stderr)
    if r.reason == "panic":
        print("faultline run: kernel panic; QEMU stopped (log: %s)" % r.log_path, file=sys.stderr)
        return 1
    if r.reason == "stopped":
        print("faultline run: the Pi has no PSCI to power off; stopped QEMU at 'system off'",
              file=sys.stderr)
        return 0
    if r.reason == "timeout":
        print("faultline run: stopped QEMU after %gs (--timeout)" % args.timeout, file=sys.stderr)
        return 0
    return r.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
