"""Finds the IPC log dumps in a serial log and decodes their records.

A dump (kernel/kernel/ipclog.c) is a block of lines:

    FLTRACE BEGIN v1 cpus=<n> freq=<hz>
    FLTRACE RING <cpu> head=<n> dropped=<n>
    FLTRACE R <cpu> <128 hex digits: the 64-byte record> <crc32, 8 hex digits>
    FLTRACE END

Other console output may come between the lines (and in front of a line, if
a program printed without a newline). A record line whose checksum, hex or
place is wrong is counted, reported and skipped; a dump that stops early
(no END, a ring missing or short) is reported with what is missing, and what
did arrive is still decoded. Several dumps of one boot are merged (a record
is the same record in each: its CPU and its sequence number in the ring); a
dump whose ring heads go backwards starts a new boot, and only the last boot
is kept.
"""
import re
import zlib

_LINE = re.compile(r"FLTRACE (BEGIN|RING|R|END)\b(.*)$")
_BEGIN = re.compile(r"\s+v(\d+)\s+cpus=(\d+)\s+freq=(\d+)\s*$")
_RING = re.compile(r"\s+(\d+)\s+head=(\d+)\s+dropped=(\d+)\s*$")
_REC = re.compile(r"\s+(\d+)\s+([0-9a-f]+)\s+([0-9a-f]{8})\s*$")


class DumpError(Exception):
    """The log holds no dump that can be decoded at all."""


class Record:
    """One decoded IPC log record. ts is in counter ticks."""

    __slots__ = ("cpu", "seq", "ts", "kind", "flags", "src", "dst", "length", "badge", "label", "words",
                 "line")

    def __init__(self, fields, kinds, seq, line):
        self.cpu = fields["cpu"]
        self.seq = seq
        self.ts = fields["timestamp"]
        self.kind = kinds.get(fields["kind"], f"kind{fields['kind']}")
        self.flags = fields["flags"]
        self.src = fields["from"]
        self.dst = fields["to"]
        self.length = fields["length"]
        self.badge = fields["badge"]
        self.label = fields["label"]
        self.words = fields["words"][:min(fields["nwords"], len(fields["words"]))]
        self.line = line

    def __repr__(self):
        return f"<{self.kind} cpu{self.cpu}#{self.seq} {self.src}->{self.dst} label={self.label:#x}>"


class Ring:
    """What one dump said about one CPU's ring."""

    def __init__(self, cpu, head, dropped, capacity, line):
        self.cpu, self.head, self.dropped, self.line = cpu, head, dropped, line
        self.expected = min(head, capacity)
        self.first_seq = head - self.expected
        self.seen = 0  # record lines of this ring, good or bad


class Dump:
    """One BEGIN..END block."""

    def __init__(self, version, cpus, freq, line):
        self.version, self.cpus, self.freq, self.line = version, cpus, freq, line
        self.rings = {}
        self.ended = False
        self.records = []


class Trace:
    """The records of the last boot's dumps, in time order, with what went wrong."""

    def __init__(self):
        self.dumps = []
        self.records = []
        self.freq = 0
        self.cpus = 0
        self.dropped = {}  # cpu -> records overwritten before the last dump
        self.bad_lines = 0
        self.problems = []  # human-readable, each names its log line
        self.truncated = False

    def us(self, ts):
        """Microseconds from the first record to counter value ts."""
        return (ts - self.t0) * 1e6 / self.freq if self.freq else 0.0


def _check_ring_complete(trace, dump, ring):
    missing = ring.expected - ring.seen
    if missing > 0:
        trace.truncated = True
        trace.problems.append(f"log line {ring.line}: ring of CPU {ring.cpu} is short: {ring.seen} of "
                              f"{ring.expected} record lines arrived, {missing} missing")


def _finish(trace, dump, ring, line):
    """Close dump (at its END, or at line where it was cut off: line None = end of log)."""
    if ring is not None:
        _check_ring_complete(trace, dump, ring)
    if not dump.ended:
        trace.truncated = True
        where = f"at log line {line} (a new FLTRACE BEGIN)" if line else "at the end of the log"
        trace.problems.append(f"log line {dump.line}: dump is truncated: no FLTRACE END before it stops {where}")
    absent = [c for c in range(dump.cpus) if c not in dump.rings]
    if absent:
        trace.truncated = True
        trace.problems.append(f"log line {dump.line}: dump of {dump.cpus} CPUs has no ring for CPU "
                              f"{', '.join(map(str, absent))}")


def parse_log(lines, facts):
    """Decode every dump in lines (an iterable of str); returns a Trace.
    Raises DumpError if there is no dump."""
    trace = Trace()
    dump = ring = None
    size = facts.layout.size
    for n, text in enumerate(lines, 1):
        m = _LINE.search(text.rstrip("\r\n"))
        if not m:
            continue
        what, rest = m.groups()
        if what == "BEGIN":
            if dump is not None:
                _finish(trace, dump, ring, n)
            b = _BEGIN.match(rest)
            if not b:
                trace.problems.append(f"log line {n}: unreadable FLTRACE BEGIN line; its dump is skipped")
                dump = ring = None
                continue
            if int(b.group(1)) != 1:
                trace.problems.append(f"log line {n}: dump format v{b.group(1)}, this decoder reads v1; skipped")
                dump = ring = None
                continue
            dump = Dump(1, int(b.group(2)), int(b.group(3)), n)
            trace.dumps.append(dump)
            ring = None
            continue
        if dump is None:
            if what != "END":
                trace.bad_lines += 1
                trace.problems.append(f"log line {n}: FLTRACE {what} outside a dump (its BEGIN is missing); skipped")
            continue
        if what == "END":
            if ring is not None:
                _check_ring_complete(trace, dump, ring)
            dump.ended = True
            _finish(trace, dump, None, n)
            dump = ring = None
            continue
        if what == "RING":
            if ring is not None:
                _check_ring_complete(trace, dump, ring)
            r = _RING.match(rest)
            if not r or int(r.group(1)) >= dump.cpus:
                trace.bad_lines += 1
                trace.problems.append(f"log line {n}: unreadable FLTRACE RING line; its records are skipped")
                ring = None
                continue
            ring = Ring(int(r.group(1)), int(r.group(2)), int(r.group(3)), facts.ring_records, n)
            dump.rings[ring.cpu] = ring
            continue
        # a record line
        r = _REC.match(rest)
        if ring is None or not r or len(r.group(2)) != 2 * size or int(r.group(1)) != ring.cpu:
            trace.bad_lines += 1
            why = "outside a ring" if ring is None else "malformed or of another CPU"
            trace.problems.append(f"log line {n}: record line {why}; skipped")
            if ring is not None:
                ring.seen += 1
            continue
        seq = ring.first_seq + ring.seen
        ring.seen += 1
        data = bytes.fromhex(r.group(2))
        if zlib.crc32(data) != int(r.group(3), 16):
            trace.bad_lines += 1
            trace.problems.append(f"log line {n}: record {seq} of CPU {ring.cpu}: checksum mismatch; skipped")
            continue
        dump.records.append(Record(facts.layout.unpack(data), facts.kinds, seq, n))
    if dump is not None:
        _finish(trace, dump, ring, None)
    if not trace.dumps:
        raise DumpError("no IPC log dump in the log (no 'FLTRACE BEGIN' line): was the system booted with "
                        "kernel.trace and did anything call FL_TRACE_DUMP?")
    _merge(trace)
    return trace


def _merge(trace):
    """Keep the dumps of the last boot and merge their records."""
    session = []
    for d in trace.dumps:
        if session:
            prev = session[-1]
            back = any(c in prev.rings and r.head < prev.rings[c].head for c, r in d.rings.items())
            if back or d.cpus != prev.cpus or d.freq != prev.freq:
                trace.problems.append(f"log line {d.line}: this dump is of a new boot (ring heads went back); "
                                      f"the dumps before it are not used")
                session = []
        session.append(d)
    last = session[-1]
    trace.dumps = session
    trace.freq, trace.cpus = last.freq, last.cpus
    merged = {}
    for d in session:
        for rec in d.records:
            merged[(rec.cpu, rec.seq)] = rec
        for c, r in d.rings.items():
            trace.dropped[c] = r.dropped
    for rec in merged.values():
        if rec.cpu >= trace.cpus:
            trace.problems.append(f"log line {rec.line}: record says CPU {rec.cpu} of {trace.cpus}")
    trace.records = sorted(merged.values(), key=lambda r: (r.ts, r.cpu, r.seq))
    trace.t0 = trace.records[0].ts if trace.records else 0
