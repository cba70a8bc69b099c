#!/usr/bin/python3
"""Faultline IDL compiler: parse .idl files, check them, write the JSON IR and
every generated file (C header, client stubs, server dispatch, fuzz driver,
Markdown docs) for each into --out.

    flidl.py --abi kernel/include/faultline/abi.h --out DIR a.idl b.idl ...

All files given together are checked together (interface ids and names are
unique across them). A mistake prints `file:line:col: message` and exits 1.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from faultline_idl.abi import AbiError, load_abi  # noqa: E402
from faultline_idl.errors import IdlError  # noqa: E402
from faultline_idl.generate import environment, render_file  # noqa: E402
from faultline_idl.parser import parse  # noqa: E402
from faultline_idl.resolve import resolve  # noqa: E402


def compile_files(paths, abi):
    """Parse and resolve paths; return {path: IR}. Raises IdlError."""
    trees = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            trees.append(parse(path, f.read()))
    return resolve(trees, abi)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--abi", required=True, help="path of kernel/include/faultline/abi.h")
    ap.add_argument("--out", required=True, help="directory for the generated files")
    ap.add_argument("--check", action="store_true", help="only check the files; write nothing")
    ap.add_argument("idl", nargs="+")
    args = ap.parse_args(argv)
    try:
        abi = load_abi(args.abi)
        irs = compile_files(args.idl, abi)
    except (IdlError, AbiError) as e:
        print(e, file=sys.stderr)
        return 1
    if args.check:
        return 0
    os.makedirs(args.out, exist_ok=True)
    env = environment()
    for path, ir in irs.items():
        stem = os.path.splitext(os.path.basename(path))[0]
        ir["file"] = os.path.basename(path)
        for iface in ir["interfaces"]:
            iface["file"] = ir["file"]
        for name, text in render_file(env, ir, stem).items():
            with open(os.path.join(args.out, name), "w", encoding="utf-8") as f:
                f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
