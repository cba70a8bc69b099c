#!/usr/bin/python3
"""Run Faultline's benchmarks: the engine behind `./faultline bench`.

    bench.py --build DIR [--out FILE] [--cpu MODEL] [--repeat N] [--timeout S]

Boots each benchmark program in QEMU's exact mode (-icount shift=0, so one
guest instruction is one nanosecond; the counter runs at 1 GHz, so one tick
is one instruction), reads its console (benchfmt.py has the contract),
prints a table and writes a JSON results file (default <build>/bench.json)
with the commit, board, QEMU version and CPU model. --repeat N boots every
program N times and fails unless all N runs give the same figures, every
program alike (the swap program too: docs/benchmarks.md says how its waits
for the disk are kept out of the count).
Exit status: 0 when every program ran to completion (however high its
figures), 1 when one did not or a repeat differed, 2 on bad options or a
missing image. Console logs go to <build>/logs/bench/.
"""

import argparse
import dataclasses
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tools", "qemu"))

import benchfmt  # noqa: E402
import harness  # noqa: E402
import machine  # noqa: E402

# QEMU 7.2's generic timer runs at 62.5 MHz (16 instructions a tick under
# -icount shift=0); the cpu property cntfrq sets it to 1 GHz, one tick per
# instruction. The kernel reads CNTFRQ_EL0 and hands it on in BootInfo.
COUNTER_HZ = 1000000000

# bench_vm's pool: 64 MiB of touched heap, its page tables and the processes
# around it need more than the default 16384 frames.
VM_POOL_FRAMES = 24576
# The swap group's pool (its sweep is twice that) and swap disk.
SWAP_POOL_FRAMES = 512
SWAP_DISK_BYTES = 64 << 20


@dataclasses.dataclass
class Program:
    """One benchmark boot: a program and the figures it must report.
    label names the boot (the test case bench.<label>, part of `test
    --quick` if quick)."""

    label: str
    name: str
    bootargs: str
    figures: tuple
    smp: int = 1
    mem: str = "1G"
    quick: bool = True
    swap: bool = False  # attach a swap disk (<build>/bench-swap.img)
    # The program's name in the JSON and the logs when name alone is taken
    # by another boot of the same program.
    key: str = None
    # Seconds the test case bench.<label> gives the boot (a loaded host).
    test_timeout: float = 180.0

    @property
    def ident(self):
        return self.key or self.name


PROGRAMS = [
    Program("kernel", "bench", "kernel.root=bench",
            ("ipc.call.0w", "ipc.call.4w", "ipc.call.64w", "ipc.call.cap1",
             "notification.roundtrip")),
    # pager.init: the pager starts bench_vm as init (docs/pager.md).
    # pager.frames: fork.64mib needs a pool above the default 16384 frames.
    Program("vm", "bench_vm", "pager.init=bench_vm pager.frames=%d" % VM_POOL_FRAMES,
            ("fault.zero_fill", "fault.stack_growth", "fault.elf", "cow.copy", "cow.reuse",
             "fork.0mib", "fork.1mib", "fork.16mib", "fork.64mib"), quick=False),
    # The swap figures: the named-only group `swap` with a swap disk and a
    # pool small enough that a sweep of twice the pool is quick.
    # kernel.pmu_insns: these figures count with the PMU's instruction
    # counter, which stands still while the CPU waits for the disk.
    # pager.evictor=off: no background evictor, so with the one process
    # faulting on one CPU exactly one transfer is on the disk at a time and
    # the guest is idle until it completes: the figures are exact
    # (docs/benchmarks.md, "Swap figures").
    Program("swap", "bench_vm",
            "pager.init=bench_vm bench.groups=swap pager.frames=%d kernel.pmu_insns "
            "pager.evictor=off" % SWAP_POOL_FRAMES,
            ("swap.evict_swapin", "swap.sweep"), quick=False, swap=True,
            key="bench_vm-swap", test_timeout=600.0),
]


def swap_disk_path(build, disk=None):
    """The benchmarks' own swap disk (not swap.img: the swap tests may use
    that one at the same time), or disk if given (a boot running alongside
    another needs its own: each boot starts by emptying its disk)."""
    return disk or os.path.join(os.path.abspath(build), "bench-swap.img")


def machine_for(program, build, cpu, disk=None):
    """The exact-mode Machine that boots `program`."""
    return machine.Machine(kernel=machine.kernel_image(build), smp=program.smp,
                           mem=program.mem, cpu="%s,cntfrq=%d" % (cpu, COUNTER_HZ),
                           icount=True, bootargs=program.bootargs,
                           swap=swap_disk_path(build, disk) if program.swap else None)


def fresh_swap_disk(program, build, disk=None):
    """Before each boot of a swap program: an empty sparse disk, so every
    run starts from the same disk."""
    if program.swap:
        with open(swap_disk_path(build, disk), "wb") as f:
            f.truncate(SWAP_DISK_BYTES)


def run_program(program, build, cpu, timeout, log_path, disk=None):
    """Boot program once (a swap program on disk, default the build tree's
    bench-swap.img); returns (Report, None) or (Report or None, problem)."""
    m = machine_for(program, build, cpu, disk)
    fresh_swap_disk(program, build, disk)
    argv = m.command(os.path.dirname(log_path) + "/" + program.ident + ".d")
    done = lambda t: any(l.startswith("BENCH-DONE") for l in t.lines)  # noqa: E731
    run = harness.run(argv, log_path, timeout, until=done)
    try:
        report = benchfmt.parse(run.transcript.lines)
    except benchfmt.FormatError as e:
        return None, "%s: %s (log: %s)" % (program.ident, e, log_path)
    if run.reason in ("panic", "timeout"):
        return report, "%s: %s (log: %s)" % (program.ident, run.describe(), log_path)
    problems = report.problems(program.figures)
    if problems:
        return report, "%s: %s (log: %s)" % (program.ident, "; ".join(problems), log_path)
    return report, None


def differences(a, b):
    """Figures whose numbers differ between two reports of one program."""
    out = []
    for name in sorted(set(a.figures) | set(b.figures)):
        fa, fb = a.figures.get(name), b.figures.get(name)
        if fa != fb:
            out.append("%s: %s vs %s" % (name, fa and fa.as_dict(), fb and fb.as_dict()))
    if a.info != b.info:
        out.append("BENCH-INFO: %s vs %s" % (a.info, b.info))
    return out


def _git(*args):
    r = subprocess.run(["git", "-C", REPO] + list(args), capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


def metadata(build, cpu, programs):
    """What makes results comparable: commit, board, QEMU, CPU, machine."""
    try:
        version = subprocess.run([machine.QEMU, "--version"], capture_output=True,
                                 text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        version = "unknown"
    status = _git("status", "--porcelain")
    return {
        "commit": _git("rev-parse", "HEAD") or "unknown",
        "dirty": bool(status),
        "board": "qemu-virt",
        "qemu": version,
        "cpu": cpu,
        "counter_hz": COUNTER_HZ,
        "machines": {p.ident: machine_for(p, build, cpu).command(os.devnull)
                     for p in programs},
    }


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="faultline bench", description=(
        "Boot the benchmark programs in QEMU's exact mode and report guest "
        "instructions per operation."))
    ap.add_argument("--build", default="build", help="build directory (default: build)")
    ap.add_argument("--out", help="JSON results file (default: <build>/bench.json)")
    ap.add_argument("--cpu", default="cortex-a72",
                    help="QEMU CPU model (default cortex-a72)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="boot each program N times; fail unless all runs agree (default 1)")
    ap.add_argument("--timeout", type=float, default=300.0,
                    help="seconds each boot may take (default 300)")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    if args.timeout <= 0:
        ap.error("--timeout must be positive")
    return args


def main(argv):
    args = parse_args(argv)
    build = os.path.abspath(args.build)
    out = os.path.abspath(args.out or os.path.join(build, "bench.json"))
    logs = os.path.join(build, "logs", "bench")
    try:
        meta = metadata(build, args.cpu, PROGRAMS)
    except (ValueError, machine.MissingImage) as e:
        print("faultline bench: %s" % e, file=sys.stderr)
        return 2
    reports, failed = {}, False
    for p in PROGRAMS:
        first = None
        for i in range(args.repeat):
            log = os.path.join(logs, "%s%s.log" % (p.ident, "" if i == 0 else "#%d" % (i + 1)))
            report, problem = run_program(p, build, args.cpu, args.timeout, log)
            if problem:
                print("faultline bench: %s" % problem, file=sys.stderr)
                failed = True
                break
            if first is None:
                first = report
                continue
            diff = differences(first, report)
            if diff:
                print("faultline bench: %s: run %d differs from run 1: %s"
                      % (p.ident, i + 1, "; ".join(diff)), file=sys.stderr)
                failed = True
                break
        if first is not None:
            reports[p.ident] = first
    meta["repeats"] = args.repeat
    doc = benchfmt.to_json(meta, reports)
    for line in benchfmt.table(doc["figures"]):
        print(line)
    for name, reason in doc["errors"].items():
        print("%s: failed: %s" % (name, reason))
    for name, reason in doc["skipped"].items():
        print("%s: skipped: %s" % (name, reason))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    print("commit %s%s, %s, cpu %s; %s"
          % (meta["commit"][:12], " (dirty)" if meta["dirty"] else "", meta["qemu"], args.cpu,
             "identical over %d runs; " % args.repeat if args.repeat > 1 and not failed else "")
          + "results in %s" % out)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
