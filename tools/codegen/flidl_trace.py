#!/usr/bin/python3
"""Decode IPC log records with the IR of the IDL files.

    flidl_trace.py --ir build/.../pager.json [--ir ...] LABEL [WORD...]

prints e.g. `pager.sbrk(delta=4096)`. Numbers may be decimal or 0x-hex.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from faultline_idl.trace import Decoder  # noqa: E402


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ir", action="append", required=True, help="an IR .json written by flidl.py")
    ap.add_argument("label")
    ap.add_argument("words", nargs="*")
    args = ap.parse_args(argv)
    dec = Decoder.from_files(args.ir)
    print(dec.format(int(args.label, 0), [int(w, 0) for w in args.words]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
