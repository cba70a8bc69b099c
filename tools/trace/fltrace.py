#!/usr/bin/python3
"""Decode Faultline IPC log dumps found in a serial log.

    fltrace.py LOG [--json FILE] [--timeline FILE] [--faults FILE] [--summary FILE]
               [--ir IR.json ...] [--out-prefix PREFIX]

LOG is a serial console log (plain or .gz; '-' reads stdin) holding one or
more `FLTRACE BEGIN ... END` dumps (FL_TRACE_DUMP). Writes the
Chrome/Perfetto trace-event JSON, the text timeline, the per-fault breakdown
and the summary statistics; with --out-prefix P: P.json, P.timeline.txt,
P.faults.txt, P.summary.txt. The summary also goes to stdout.

Exit status: 0 decoded cleanly; 1 the dump is damaged (bad lines skipped or
truncated; what arrived is still written); 2 no dump, bad usage, or the
kernel headers/IDL cannot be read.
"""
import argparse
import gzip
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fltrace import perfetto, report, timeline  # noqa: E402
from fltrace.dump import DumpError, parse_log  # noqa: E402
from fltrace.flow import Flow  # noqa: E402
from fltrace.headers import HeaderError, KernelFacts  # noqa: E402
from fltrace.names import AbiError, IdlError, Namer, load_irs  # noqa: E402


def _open_log(path):
    if path == "-":
        return sys.stdin
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


def _write(path, fn):
    with open(path, "w", encoding="utf-8") as f:
        fn(f)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("log", help="serial log (plain, .gz, or - for stdin)")
    ap.add_argument("--out-prefix", help="write PREFIX.json, .timeline.txt, .faults.txt, .summary.txt")
    ap.add_argument("--json", help="Chrome/Perfetto trace-event JSON file")
    ap.add_argument("--timeline", help="text timeline file")
    ap.add_argument("--faults", help="per-fault breakdown file")
    ap.add_argument("--summary", help="summary statistics file (text; .json for JSON)")
    ap.add_argument("--ir", action="append", help="IR .json from flidl.py (default: compile idl/*.idl)")
    ap.add_argument("--quiet", action="store_true", help="do not print the summary")
    args = ap.parse_args(argv)
    if args.out_prefix:
        p = args.out_prefix
        args.json = args.json or p + ".json"
        args.timeline = args.timeline or p + ".timeline.txt"
        args.faults = args.faults or p + ".faults.txt"
        args.summary = args.summary or p + ".summary.txt"
    try:
        facts = KernelFacts()
    except HeaderError as e:
        print(f"fltrace: {e}", file=sys.stderr)
        return 2
    try:
        decoder, _ = load_irs(args.ir)
    except (IdlError, AbiError, OSError, ValueError, KeyError) as e:
        print(f"fltrace: warning: no IDL names (the IDL does not compile: {e}); labels are shown raw",
              file=sys.stderr)
        decoder = None
    namer = Namer(facts, decoder)
    try:
        with _open_log(args.log) as f:
            trace = parse_log(f, facts)
    except OSError as e:
        print(f"fltrace: cannot read {args.log}: {e.strerror or e}", file=sys.stderr)
        return 2
    except DumpError as e:
        print(f"fltrace: {args.log}: {e}", file=sys.stderr)
        return 2
    for p in trace.problems:
        print(f"fltrace: {args.log}: {p}", file=sys.stderr)
    flow = Flow(trace, namer)
    stats = report.summary(trace, flow)
    try:
        if args.json:
            _write(args.json, lambda f: json.dump(perfetto.build(trace, flow), f, indent=None))
        if args.timeline:
            _write(args.timeline, lambda f: timeline.write(f, trace, flow))
        if args.faults:
            _write(args.faults, lambda f: report.write_breakdown(f, trace, flow))
        if args.summary:
            if args.summary.endswith(".json"):
                _write(args.summary, lambda f: json.dump(stats, f, indent=1, sort_keys=True))
            else:
                _write(args.summary, lambda f: report.write_summary(f, stats))
    except OSError as e:
        print(f"fltrace: cannot write {e.filename}: {e.strerror}", file=sys.stderr)
        return 2
    if not args.quiet:
        report.write_summary(sys.stdout, stats)
    if trace.bad_lines or trace.truncated:
        print(f"fltrace: {args.log}: the dump is damaged ({trace.bad_lines} bad lines skipped"
              f"{', truncated' if trace.truncated else ''}); the outputs hold what arrived", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
