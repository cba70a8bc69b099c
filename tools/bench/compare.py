#!/usr/bin/python3
"""Compare two benchmark results files: `compare.py A.json B.json`.

Prints, for every figure in both files, A's and B's median and the ratio
B/A (below 1.000: B is faster), then the figures only one file has. The
header names each file's commit, QEMU and CPU, and warns when those
differ (a ratio across QEMU versions or CPU models compares the emulators
too). Exit status 0, or 2 when a file cannot be read as results.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchfmt  # noqa: E402


def describe(label, path, doc):
    return "%s: %s  commit %s%s  %s  cpu %s  board %s" % (
        label, path, doc.get("commit", "?"), " (dirty)" if doc.get("dirty") else "",
        doc.get("qemu", "qemu ?"), doc.get("cpu", "?"), doc.get("board", "?"))


def compare(a, b):
    """The comparison of two results documents, as text lines."""
    out = []
    for key in ("qemu", "cpu", "board"):
        if a.get(key) != b.get(key):
            out.append("warning: %s differs: %r vs %r" % (key, a.get(key), b.get(key)))
    fa, fb = a["figures"], b["figures"]
    both = [n for n in fa if n in fb]
    width = max([len("figure")] + [len(n) for n in both])
    out.append("%-*s %10s %10s %8s" % (width, "figure", "A median", "B median", "B/A"))
    for name in both:
        ma, mb = fa[name]["median"], fb[name]["median"]
        ratio = "%8.3f" % (mb / ma) if ma else "%8s" % ("-" if mb == 0 else "inf")
        out.append("%-*s %10d %10d %s" % (width, name, ma, mb, ratio))
    for label, mine, other in (("A", fa, fb), ("B", fb, fa)):
        only = [n for n in mine if n not in other]
        if only:
            out.append("only in %s: %s" % (label, ", ".join(only)))
    return out


def main(argv):
    if len(argv) != 2 or argv[0] in ("-h", "--help"):
        print("usage: compare.py A.json B.json", file=sys.stderr)
        return 2
    try:
        a, b = benchfmt.load_json(argv[0]), benchfmt.load_json(argv[1])
    except benchfmt.FormatError as e:
        print("compare: %s" % e, file=sys.stderr)
        return 2
    print(describe("A", argv[0], a))
    print(describe("B", argv[1], b))
    for line in compare(a, b):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
