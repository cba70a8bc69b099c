#!/usr/bin/python3
"""Boot Faultline in QEMU: the engine behind `./faultline run`.

    boot.py --build DIR [--smp N] [--mem SIZE] [--board B] [--uboot] [--gic 2|3]
            [--el2] [--cpu MODEL] [--gdb] [--timeout S] [--icount] [-- BOOTARGS...]

On a terminal without --timeout, QEMU takes over the terminal (Ctrl-A x
quits, Ctrl-A c is the monitor). Otherwise the harness runs it: the console
is echoed, logged to <build>/logs/run.log, and QEMU is stopped after
--timeout seconds, on a kernel panic, or on Ctrl-C.
Exit status: QEMU's own when it exits (0 after SYSTEM_OFF), 0 when stopped by
--timeout, 1 on a kernel panic, 2 on bad options or a missing image.
"""

import argparse
import os
import shlex
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
import machine  # noqa: E402


def parse(argv):
    """Parse options; everything after `--` becomes the kernel bootargs."""
    bootargs = []
    if "--" in argv:
        i = argv.index("--")
        argv, bootargs = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser(prog="faultline run", description="Boot Faultline in QEMU.")
    ap.add_argument("--build", default="build", help="build directory (default: build)")
    ap.add_argument("--smp", type=int, default=2, help="number of CPUs (default 2)")
    ap.add_argument("--mem", default="1G", help="memory size, as QEMU -m takes it (default 1G)")
    ap.add_argument("--board", default="qemu-virt", help="board (default qemu-virt)")
    ap.add_argument("--uboot", action="store_true", help="boot through U-Boot from the disk image")
    ap.add_argument("--gic", type=int, choices=(2, 3), help="GIC version (default: QEMU's, v2)")
    ap.add_argument("--el2", action="store_true", help="enter at EL2 (virtualization=on)")
    ap.add_argument("--cpu", default="cortex-a72", help="CPU model: cortex-a72 (default) or max")
    ap.add_argument("--gdb", action="store_true", help="wait for gdb-multiarch on :1234")
    ap.add_argument("--timeout", type=float, help="stop QEMU after this many seconds")
    ap.add_argument("--icount", action="store_true",
                    help="exact mode: one guest instruction per nanosecond")
    args = ap.parse_args(argv)
    args.bootargs = " ".join(bootargs)
    return args


def main(argv):
    args = parse(argv)
    build = os.path.abspath(args.build)
    try:
        m = machine.Machine(smp=args.smp, mem=args.mem, cpu=args.cpu, gic=args.gic,
                            el2=args.el2, icount=args.icount, bootargs=args.bootargs,
                            gdb=args.gdb, board=args.board)
        m.swap = machine.swap_disk(build)
        if args.uboot:
            m.uboot_disk = machine.uboot_disk(build)
        else:
            m.kernel = machine.kernel_image(build)
        interactive = sys.stdin.isatty() and args.timeout is None
        logs = os.path.join(build, "logs")
        argv_qemu = m.command(os.path.join(logs, "run"), interactive=interactive)
    except (ValueError, machine.MissingImage) as e:
        print("faultline run: %s" % e, file=sys.stderr)
        return 2
    if args.gdb:
        print("QEMU waits for gdb. In another terminal:\n  gdb-multiarch %s -ex 'target remote :1234'"
              % shlex.quote(machine.kernel_elf(build)), file=sys.stderr, flush=True)
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
        r = harness.run(argv_qemu, os.path.join(logs, "run.log"), args.timeout, echo=echo)
    except KeyboardInterrupt:
        print("\nfaultline run: interrupted; QEMU stopped", file=sys.stderr)
        return 130
    print(file=sys.stderr)
    if r.reason == "panic":
        print("faultline run: kernel panic; QEMU stopped (log: %s)" % r.log_path, file=sys.stderr)
        return 1
    if r.reason == "timeout":
        print("faultline run: stopped QEMU after %gs (--timeout)" % args.timeout, file=sys.stderr)
        return 0
    return r.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
