#!/usr/bin/python3
"""Run Faultline's benchmarks: the engine behind `./faultline bench`.

    bench.py --build DIR [--out FILE] [--cpu MODEL] [--repeat N] [--timeout S]

Boots each benchmark program in QEMU's exact mode (-icount shift=0, so one
guest instruction is one nanosecond; the counter runs at 1 GHz, so one tick
is one instruction), reads its console (benchfmt.py has the contract),
prints a table and writes a JSON results file (default <build>/bench.json)
with the commit, board, QEMU version and CPU model. --repeat N boots every
program N times and fails unless all N runs give the same figures.
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


PROGRAMS = [
    Program("kernel", "bench", "kernel.root=bench",
            ("ipc.call.0w", "ipc.call.4w", "ipc.call.64w", "ipc.call.cap1",
             "notification.roundtrip")),
    # pager.init: the pager starts bench_vm as init (docs/pager.md).
    Program("vm", "bench_vm", "pager.init=bench_vm",
            ("fault.zero_fill", "fault.stack_growth", "fault.elf", "cow.copy", "cow.reuse",
             "fork.0mib", "fork.1mib", "fork.16mib", "fork.64mib"), quick=False),
    # SWAP: the swap figures (evict + swap-in of one page, instructions per
    # page of a sequential sweep larger than memory) come with swapd
    # (issue 6): a bench_vm group run with a swap disk attached.
]


def machine_for(program, build, cpu):
    """The exact-mode Machine that boots `program`."""
    return machine.Machine(kernel=machine.kernel_image(build), smp=program.smp,
                           mem=program.mem, cpu="%s,cntfrq=%d" % (cpu, COUNTER_HZ),
                           icount=True, bootargs=program.bootargs)


def run_program(program, build, cpu, timeout, log_path):
    """Boot program once; returns (Report, None) or (Report or None, problem)."""
    m = machine_for(program, build, cpu)
    argv = m.command(os.path.dirname(log_path) + "/" + program.name + ".d")
    done = lambda t: any(l.startswith("BENCH-DONE") for l in t.lines)  # noqa: E731
    run = harness.run(argv, log_path, timeout, until=done)
    try:
        report = benchfmt.parse(run.transcript.lines)
    except benchfmt.FormatError as e:
        return None, "%s: %s (log: %s)" % (program.name, e, log_path)
    if run.reason in ("panic", "timeout"):
        return report, "%s: %s (log: %s)" % (program.name, run.describe(), log_path)
    problems = report.problems(program.figures)
    if problems:
        return report, "%s: %s (log: %s)" % (program.name, "; ".join(problems), log_path)
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
        "machines": {p.name: machine_for(p, build, cpu).command(os.devnull)
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
            log = os.path.join(logs, "%s%s.log" % (p.name, "" if i == 0 else "#%d" % (i + 1)))
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
                      % (p.name, i + 1, "; ".join(diff)), file=sys.stderr)
                failed = True
                break
        if first is not None:
            reports[p.name] = first
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
