"""The benchmark console contract and the JSON results file, as data.

A benchmark program (test/bench) prints, among other console lines:

    BENCH-INFO freq=<Hz> insn_per_tick=<k> overhead=<insns> cpus=<n>
    BENCH <name> n=<samples> median=<i> min=<i> max=<i> mean=<i>
    BENCH-ERROR <name>: <reason>      the benchmark failed
    BENCH-SKIP <name>: <reason>       the system lacks what it needs (a limit)
    BENCH-DONE <figures reported>     BENCH, BENCH-ERROR and BENCH-SKIP lines

Every figure is guest instructions per operation (docs/benchmarks.md).
`parse()` turns a console into a `Report`; `problems()` says what makes a
report incomplete; `to_json()`/`load_json()` write and read the results
file that `./faultline bench` produces and compare.py reads.
"""

import dataclasses
import json
import re

FORMAT = "faultline-bench/1"
FIGURE_FIELDS = ("n", "median", "min", "max", "mean")
INFO_FIELDS = ("freq", "insn_per_tick", "overhead", "cpus")

INFO = re.compile(r"^BENCH-INFO((?: \S+=\S*)*)$")
FIGURE = re.compile(r"^BENCH ([A-Za-z0-9_.-]+)((?: \S+=\S*)*)$")
ERROR = re.compile(r"^BENCH-ERROR ([A-Za-z0-9_.-]+): (.*)$")
SKIP = re.compile(r"^BENCH-SKIP ([A-Za-z0-9_.-]+): (.*)$")
DONE = re.compile(r"^BENCH-DONE (\d+)$")


class FormatError(ValueError):
    """A console line or a results file that breaks the contract."""


@dataclasses.dataclass
class Figure:
    name: str
    n: int
    median: int
    min: int
    max: int
    mean: int

    def as_dict(self):
        return {k: getattr(self, k) for k in FIGURE_FIELDS}


@dataclasses.dataclass
class Report:
    """What one benchmark program printed. `figures`, `errors` and
    `skipped` keep the order of the console; `done` is BENCH-DONE's count
    (None if missing). A skipped figure is not a problem: the system does
    not offer what it needs (say, a pool too small for 64 MiB)."""

    info: dict = None
    figures: dict = dataclasses.field(default_factory=dict)
    errors: dict = dataclasses.field(default_factory=dict)
    skipped: dict = dataclasses.field(default_factory=dict)
    done: int = None

    def reported(self):
        """How many figures the console reported, however."""
        return len(self.figures) + len(self.errors) + len(self.skipped)

    def problems(self, expect=()):
        """Why this report is not a complete run, as sentences ([] if it is).
        expect: figure names that must be among the figures."""
        out = []
        if self.info is None:
            out.append("no BENCH-INFO line")
        if self.done is None:
            out.append("no BENCH-DONE line (the program did not finish)")
        elif self.done != self.reported():
            out.append("BENCH-DONE says %d figures but %d were reported"
                       % (self.done, self.reported()))
        for name, reason in self.errors.items():
            out.append("%s could not be measured: %s" % (name, reason))
        missing = [n for n in expect
                   if n not in self.figures and n not in self.errors and n not in self.skipped]
        if missing:
            out.append("missing figures: %s" % ", ".join(missing))
        return out


def _fields(text, names, line_no, line):
    """The key=value pairs of text as ints; exactly `names` must be there."""
    values = {}
    for item in text.split():
        key, _, value = item.partition("=")
        if key in values:
            raise FormatError("line %d: %s given twice: %r" % (line_no, key, line))
        if not re.fullmatch(r"\d+", value):
            raise FormatError("line %d: %s=%r is not a whole number: %r"
                              % (line_no, key, value, line))
        values[key] = int(value)
    unknown = sorted(set(values) - set(names))
    missing = [n for n in names if n not in values]
    if unknown or missing:
        raise FormatError("line %d: %s: %r" % (line_no, "; ".join(
            (["unknown field(s) " + ", ".join(unknown)] if unknown else [])
            + (["missing field(s) " + ", ".join(missing)] if missing else [])), line))
    return values


def parse(lines):
    """A Report from console lines (str, without line endings; other lines
    are ignored). Raises FormatError on a BENCH line that breaks the
    contract, naming the line."""
    report = Report()
    for no, raw in enumerate(lines, 1):
        line = raw.replace("\r", "").rstrip()
        if not line.startswith("BENCH"):
            continue
        m = INFO.match(line)
        if m:
            if report.info is not None:
                raise FormatError("line %d: a second BENCH-INFO line: %r" % (no, line))
            report.info = _fields(m.group(1), INFO_FIELDS, no, line)
            continue
        m = ERROR.match(line) or SKIP.match(line)
        if m:
            _new_name(report, m.group(1), no, line)
            kind = report.errors if line.startswith("BENCH-ERROR") else report.skipped
            kind[m.group(1)] = m.group(2)
            continue
        m = DONE.match(line)
        if m:
            if report.done is not None:
                raise FormatError("line %d: a second BENCH-DONE line: %r" % (no, line))
            report.done = int(m.group(1))
            continue
        m = FIGURE.match(line)
        if not m:
            raise FormatError("line %d: not a BENCH line of the contract: %r" % (no, line))
        name = m.group(1)
        _new_name(report, name, no, line)
        v = _fields(m.group(2), FIGURE_FIELDS, no, line)
        if v["n"] == 0 or not v["min"] <= v["median"] <= v["max"]:
            raise FormatError("line %d: needs n > 0 and min <= median <= max: %r" % (no, line))
        report.figures[name] = Figure(name, **v)
    return report


def _new_name(report, name, no, line):
    if name in report.figures or name in report.errors or name in report.skipped:
        raise FormatError("line %d: figure %s reported twice: %r" % (no, name, line))


def to_json(meta, reports):
    """The results document: meta (commit, board, qemu, cpu, ...) plus the
    figures, errors and skipped figures of every report, by figure name."""
    doc = {"format": FORMAT, "unit": "guest instructions per operation"}
    doc.update(meta)
    doc["counter"] = {}
    doc["figures"] = {}
    doc["errors"] = {}
    doc["skipped"] = {}
    for program, r in reports.items():
        if r.info is not None:
            doc["counter"][program] = dict(r.info)
        for name, f in r.figures.items():
            if name in doc["figures"]:
                raise FormatError("figure %s comes from two programs" % name)
            doc["figures"][name] = dict(f.as_dict(), program=program)
        for name, reason in r.errors.items():
            doc["errors"][name] = reason
        for name, reason in r.skipped.items():
            doc["skipped"][name] = reason
    return doc


def load_json(path):
    """Read a results file; raises FormatError if it is not one."""
    try:
        with open(path) as f:
            doc = json.load(f)
    except OSError as e:
        raise FormatError("%s: %s" % (path, e.strerror))
    except json.JSONDecodeError as e:
        raise FormatError("%s: not JSON (%s)" % (path, e))
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise FormatError("%s: not a Faultline benchmark file (format is not %s)"
                          % (path, FORMAT))
    figures = doc.get("figures")
    if not isinstance(figures, dict):
        raise FormatError("%s: no figures" % path)
    for name, f in figures.items():
        if not isinstance(f, dict) or not all(isinstance(f.get(k), int) for k in FIGURE_FIELDS):
            raise FormatError("%s: figure %s lacks one of %s" % (path, name,
                                                                ", ".join(FIGURE_FIELDS)))
    return doc


def table(figures):
    """The figures (name -> dict with FIGURE_FIELDS) as aligned text lines."""
    width = max([len("figure")] + [len(n) for n in figures])
    head = "%-*s %10s %10s %10s %10s %6s" % (width, "figure", "median", "min", "max", "mean", "n")
    rows = [head]
    for name, f in figures.items():
        rows.append("%-*s %10d %10d %10d %10d %6d" % (width, name, f["median"], f["min"],
                                                      f["max"], f["mean"], f["n"]))
    return rows
