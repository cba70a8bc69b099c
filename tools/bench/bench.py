#!/usr/bin/python3
"""Run Faultline's benchmarks: the engine behind `./faultline bench`.

    bench.py --build DIR [--out FILE] [--cpu MODEL] [--repeat N] [--timeout S]
             [--no-breakdown]

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

The last boot (skipped with --no-breakdown) profiles one zero-fill fault:
bench_vm's zero_fill group alone, with QEMU's execution log on; then
insn_profile.py's --fault analysis splits one fault, well after warm-up,
into its four phases, reported as the figures fault.zero_fill.<phase>
(n=1: one fault, exact; docs/benchmarks.md, "The zero-fill breakdown").
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
import insn_profile  # noqa: E402
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

# The breakdown boot. A pool of 2048 frames keeps the pager's start-up, and
# so the execution log, small. The profiled fault: the timed store of the
# zero_fill loop, at the global label vm_zero_fill_store (test/bench/vm/
# faults.c). Each timed store executes twice (the fault, then the retry),
# so odd executions are faults: the 201st is the 101st timed fault, long
# after the warm-up.
PROFILE_POOL_FRAMES = 2048
PROFILE_SYMBOL = "vm_zero_fill_store"
PROFILE_NTH = 201
PROFILE_QEMU_LOG = "-d", "in_asm,exec,nochain"
# insn_profile's phases and the figures they become.
PROFILE_FIGURES = (("kernel entry to pager receive", "fault.zero_fill.kernel_to_pager"),
                   ("pager handling", "fault.zero_fill.pager"),
                   ("map invocation", "fault.zero_fill.map"),
                   ("reply to resume", "fault.zero_fill.reply"))


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
    # The breakdown boot: QEMU logs every executed block; `figures` are
    # what its console owes, but its results are PROFILE_FIGURES from the
    # log.
    profile: bool = False

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
    # The zero-fill breakdown: one fault of the zero_fill group, profiled.
    Program("breakdown", "bench_vm",
            "pager.init=bench_vm bench.groups=zero_fill pager.frames=%d" % PROFILE_POOL_FRAMES,
            ("fault.zero_fill",), quick=False, key="bench_vm-profile",
            test_timeout=600.0, profile=True),
]


def swap_disk_path(build, disk=None):
    """The benchmarks' own swap disk (not swap.img: the swap tests may use
    that one at the same time), or disk if given (a boot running alongside
    another needs its own: each boot starts by emptying its disk)."""
    return disk or os.path.join(os.path.abspath(build), "bench-swap.img")


def profile_log_path(build):
    """Where the breakdown boot's QEMU execution log goes (deleted once
    analysed: it is about 2 GB)."""
    return os.path.join(os.path.abspath(build), "bench-profile.log")


def profile_elfs(build):
    """The ELFs insn_profile needs for the breakdown, by its names."""
    target = os.path.join(os.path.abspath(build), "target")
    return {"kernel": machine.kernel_elf(build),
            "bench_vm": os.path.join(target, "test", "bench", "bench_vm.elf"),
            "pager": os.path.join(target, "servers", "pager", "pager.elf")}


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


def command_for(program, build, cpu, workdir, disk=None, qemu_log=None):
    """The QEMU argv that boots `program` (a profile program logs every
    executed block into qemu_log, default profile_log_path)."""
    argv = machine_for(program, build, cpu, disk).command(workdir)
    if program.profile:
        argv += list(PROFILE_QEMU_LOG) + ["-D", qemu_log or profile_log_path(build)]
    return argv


def breakdown(build, qemu_log):
    """The zero-fill fault's phases from the breakdown boot's execution
    log: (OrderedDict phase -> instructions, None) or (None, problem)."""
    try:
        elfs = {n: insn_profile.Elf(n, p) for n, p in profile_elfs(build).items()}
    except (OSError, subprocess.CalledProcessError) as e:
        return None, "cannot read the ELFs for the breakdown: %s" % e
    program = elfs["bench_vm"]
    at = [a for a, name in program.syms if name == PROFILE_SYMBOL]
    if len(at) != 1:
        return None, "bench_vm.elf has %d symbols %s, not 1" % (len(at), PROFILE_SYMBOL)
    users = [e for n, e in elfs.items() if n != "kernel"]
    try:
        insns = insn_profile.window(qemu_log, elfs["kernel"], users, program, at[0],
                                    PROFILE_NTH)
    except (OSError, insn_profile.WindowError) as e:
        return None, "the breakdown: %s" % e
    phases = insn_profile.fault_phases(insn_profile.runs(insns), program.name)
    if phases is None:
        return None, "the breakdown: no pager ran in the profiled window"
    return phases, None


def run_profile(program, build, cpu, timeout, log_path, qemu_log=None):
    """Boot a profile program once and analyse its execution log (deleted
    unless the analysis fails, to look into); returns (console Report or
    None, phases or None, problem or None)."""
    qemu_log = qemu_log or profile_log_path(build)
    if os.path.exists(qemu_log):
        os.unlink(qemu_log)
    console, problem = run_boot(program, build, cpu, timeout, log_path, qemu_log=qemu_log)
    if problem:
        if os.path.exists(qemu_log):
            os.unlink(qemu_log)
        return console, None, problem
    phases, problem = breakdown(build, qemu_log)
    if problem:
        return console, None, "%s: %s (QEMU log kept: %s)" % (program.ident, problem, qemu_log)
    os.unlink(qemu_log)
    return console, phases, None


def run_program(program, build, cpu, timeout, log_path, disk=None, qemu_log=None):
    """Boot program once (a swap program on disk, default the build tree's
    bench-swap.img; a profile program logging into qemu_log, default
    profile_log_path); returns (Report, None) or (Report or None, problem).
    A profile program's Report has the breakdown figures alone."""
    if not program.profile:
        return run_boot(program, build, cpu, timeout, log_path, disk)
    console, phases, problem = run_profile(program, build, cpu, timeout, log_path, qemu_log)
    if problem:
        return None, problem
    report = benchfmt.Report(info=console.info)
    for phase, name in PROFILE_FIGURES:
        n = phases[phase]
        report.figures[name] = benchfmt.Figure(name, n=1, median=n, min=n, max=n, mean=n)
    report.done = report.reported()
    return report, None


def run_boot(program, build, cpu, timeout, log_path, disk=None, qemu_log=None):
    """Boot program once and check its console: (Report, None) or
    (Report or None, problem)."""
    fresh_swap_disk(program, build, disk)
    argv = command_for(program, build, cpu, os.path.dirname(log_path) + "/" + program.ident
                       + ".d", disk, qemu_log)
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
        "machines": {p.ident: command_for(p, build, cpu, os.devnull) for p in programs},
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
    ap.add_argument("--no-breakdown", action="store_true",
                    help="skip the boot that profiles one zero-fill fault "
                    "(the fault.zero_fill.* figures)")
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
    programs = [p for p in PROGRAMS if not (p.profile and args.no_breakdown)]
    try:
        meta = metadata(build, args.cpu, programs)
    except (ValueError, machine.MissingImage) as e:
        print("faultline bench: %s" % e, file=sys.stderr)
        return 2
    reports, failed = {}, False
    for p in programs:
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
