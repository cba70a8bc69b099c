#!/usr/bin/python3
"""Where one operation's guest instructions go, from a QEMU execution log.

    insn_profile.py LOG --elf kernel=faultline.elf --elf bench=bench.elf [--elf pager=pager.elf]
               --at PROGRAM:ADDRESS [--nth N] [--fault]

LOG comes from a boot with `-d in_asm,exec,nochain -D LOG` (QEMU logs each
translation block's instructions once, then every execution of a block).
The window is one operation: from the N-th execution (default 100) of the
instruction at ADDRESS (hex) of PROGRAM to the next time PROGRAM executes
it (the operation's next iteration, or its retry after a fault). Every
instruction in between is attributed to a function: kernel addresses (upper
half) through the ELF named `kernel`, user addresses through whichever
program's ELF has exactly the logged instruction words there (programs
share their virtual addresses, so the words decide). It prints the window
in order, as runs of one program or the kernel with their functions, then
the totals per function.

--fault splits the window the way a page fault through a user-level pager
goes: kernel entry until the pager's first instruction, the pager's
handling, the map invocation (kernel runs of the pager's syscalls that go
through a function whose name contains `map`), and the reply until the
faulting program runs again. `./faultline bench` runs this analysis on
one zero-fill fault itself (tools/bench/bench.py, breakdown()).

docs/benchmarks.md shows how to make LOG. This is a developer's tool: block
counts are exact, but a block cut short by an exception counts in full.
"""

import argparse
import bisect
import collections
import re
import subprocess
import sys

USER_TOP = 1 << 48
TRACE = re.compile(r"^Trace \d+: (0x[0-9a-f]+) \[[0-9a-f]+/([0-9a-f]+)/")
INSN = re.compile(r"^0x([0-9a-f]+):\s+([0-9a-f]{8})\s")


class WindowError(Exception):
    """The log does not hold the asked-for window."""


class Elf:
    """A program's function symbols and instruction words (objdump -d)."""

    def __init__(self, name, path):
        self.name = name
        self.syms = []
        self.words = {}
        out = subprocess.run(["aarch64-linux-gnu-objdump", "-d", path], capture_output=True,
                             text=True, check=True).stdout
        for line in out.splitlines():
            m = re.match(r"^([0-9a-f]+) <(.+)>:$", line)
            if m:
                self.syms.append((int(m.group(1), 16), m.group(2)))
                continue
            m = re.match(r"^\s*([0-9a-f]+):\s+([0-9a-f]{8})\s", line)
            if m:
                self.words[int(m.group(1), 16)] = m.group(2)
        self.syms.sort()
        self.addrs = [a for a, _ in self.syms]

    def function(self, pc):
        i = bisect.bisect_right(self.addrs, pc) - 1
        return self.syms[i][1] if i >= 0 else "?"

    def matches(self, insns):
        return all(self.words.get(a) == w for a, w in insns)


def blocks(log):
    """Yield (pc, [(address, word)]) for every block execution in LOG."""
    tbs = {}
    pending = None
    with open(log, errors="replace") as f:
        for line in f:
            # Nearly every line is a Trace line (a boot's log has tens of
            # millions): QEMU prints "Trace N: PTR [%016x/%016x/...", so
            # slice the fixed-width fields; the regular expression only
            # where the line is not of that shape.
            if line.startswith("Trace "):
                b = line.find(" [")
                c = line.find(": ")
                if 0 < c < b and line[b + 18:b + 19] == "/" and line[b + 35:b + 36] == "/":
                    ptr, pc = line[c + 2:b], line[b + 19:b + 35]
                else:
                    m = TRACE.match(line)
                    if not m:
                        continue
                    ptr, pc = m.group(1), m.group(2)
                if pending is not None:
                    tbs[ptr] = pending
                    pending = None
                yield int(pc, 16), tbs.get(ptr, [])
                continue
            if line.startswith("IN:"):
                pending = []
                continue
            if pending is not None:
                m = INSN.match(line)
                if m:
                    pending.append((int(m.group(1), 16), m.group(2)))


def owner(insns, kernel, users, cache):
    """The ELF a block belongs to (None if no ELF has its words)."""
    if not insns:
        return None
    if insns[0][0] >= USER_TOP:
        return kernel
    key = tuple(insns)
    if key not in cache:
        cache[key] = next((e for e in users if e.matches(insns)), None)
    return cache[key]


def window(log, kernel, users, program, address, nth):
    """The instructions of one operation: [(elf, address)]. Raises
    WindowError if LOG does not hold it."""
    cache = {}
    seen = 0
    out = None
    for pc, insns in blocks(log):
        elf = owner(insns, kernel, users, cache)
        has = elf is program and any(a == address for a, _ in insns)
        if out is None:
            if has:
                seen += 1
                if seen == nth:
                    out = [(elf, a) for a, _ in insns if a >= address]
            continue
        if has:
            out.extend((elf, a) for a, _ in insns if a < address)
            return out
        out.extend((elf, a) for a, _ in insns)
    raise WindowError("the window never %s" % ("closed" if out else "opened"))


def runs(insns):
    """Consecutive instructions of one ELF: [(elf, [function per insn])]."""
    out = []
    for elf, a in insns:
        name = elf.name if elf else "?"
        if not out or out[-1][0] != name:
            out.append((name, []))
        out[-1][1].append(elf.function(a) if elf else "?")
    return out


def fault_phases(rs, program):
    """(phase, instructions) of a fault window, in the order a fault goes."""
    first_other = next((i for i, (n, _) in enumerate(rs) if n not in ("kernel", program)), None)
    last_kernel = max((i for i, (n, _) in enumerate(rs) if n == "kernel"), default=None)
    if first_other is None or last_kernel is None or last_kernel < first_other:
        return None
    phases = collections.OrderedDict((p, 0) for p in ("kernel entry to pager receive",
                                                      "pager handling", "map invocation",
                                                      "reply to resume"))
    for i, (name, fns) in enumerate(rs):
        if i < first_other:
            phases["kernel entry to pager receive"] += len(fns)
        elif i == last_kernel or i > last_kernel:
            phases["reply to resume"] += len(fns)
        elif name == "kernel" and any("map" in f for f in fns):
            phases["map invocation"] += len(fns)
        else:
            phases["pager handling"] += len(fns)
    return phases


def report(insns, program, fault):
    rs = runs(insns)
    lines = ["%d instructions in the window" % len(insns), "", "in order:"]
    for name, fns in rs:
        top = collections.Counter(fns).most_common(4)
        lines.append("  %-8s %6d  %s" % (name, len(fns),
                                         ", ".join("%s %d" % (f, n) for f, n in top)))
    lines += ["", "by function:"]
    total = collections.Counter()
    for name, fns in rs:
        for f in fns:
            total["%s:%s" % (name, f)] += 1
    for f, n in total.most_common():
        lines.append("  %-50s %6d" % (f, n))
    if fault:
        phases = fault_phases(rs, program)
        lines += ["", "fault phases:"]
        if phases is None:
            lines.append("  (no other program ran in the window: not a fault to a pager)")
        else:
            for p, n in phases.items():
                lines.append("  %-32s %6d" % (p, n))
    return lines


def main(argv):
    ap = argparse.ArgumentParser(prog="insn_profile.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("log")
    ap.add_argument("--elf", action="append", default=[], metavar="NAME=PATH", required=True)
    ap.add_argument("--at", required=True, metavar="PROGRAM:ADDRESS")
    ap.add_argument("--nth", type=int, default=100)
    ap.add_argument("--fault", action="store_true")
    args = ap.parse_args(argv)
    elfs = {}
    for spec in args.elf:
        name, _, path = spec.partition("=")
        if not path:
            ap.error("--elf wants NAME=PATH, not %r" % spec)
        elfs[name] = Elf(name, path)
    if "kernel" not in elfs:
        ap.error("one --elf must be named kernel")
    program, _, address = args.at.partition(":")
    if program not in elfs or not address:
        ap.error("--at wants PROGRAM:ADDRESS with PROGRAM one of the --elf names")
    users = [e for n, e in elfs.items() if n != "kernel"]
    try:
        insns = window(args.log, elfs["kernel"], users, elfs[program], int(address, 16),
                       args.nth)
    except WindowError as e:
        raise SystemExit("insn_profile: %s" % e)
    for line in report(insns, program, args.fault):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
