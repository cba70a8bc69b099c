#!/usr/bin/python3
"""The generated client and server code of every idl/ file builds for the
target (aarch64-linux-gnu-gcc -std=c11 -ffreestanding -Wall -Wextra -Werror
-O2, no host transport), and a Call whose request and reply fit in the
message registers never touches memory: pager_thread_create (3 words in,
1 out) may store only its one out value, and pager_getpid likewise.
"""
import argparse
import os
import re
import subprocess
import sys

FLAGS = ["-std=c11", "-ffreestanding", "-Wall", "-Wextra", "-Werror", "-O2", "-mcpu=cortex-a72"]
# Stubs whose whole message fits in x2..x7, and how many stores each may make
# (its out parameters).
REGISTER_ONLY = {"pager_thread_create": 1, "pager_getpid": 1, "pager_sbrk": 1}


def function_body(disasm, name):
    m = re.search(rf"^[0-9a-f]+ <{name}>:\n(.*?)(?:\n\n|\Z)", disasm, re.S | re.M)
    if not m:
        raise SystemExit(f"no function {name} in the disassembly")
    return [ln.split("\t", 2)[-1] for ln in m.group(1).splitlines()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cc", required=True)
    ap.add_argument("--objdump", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--generated", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("stems", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    includes = ["-I", args.generated, "-I", os.path.join(args.source_dir, "libs/ipc/include"),
                "-I", os.path.join(args.source_dir, "kernel/include")]
    failed = False
    for stem in args.stems:
        for part in ("client", "server"):
            src = os.path.join(args.generated, f"{stem}_{part}.c")
            obj = os.path.join(args.work, f"{stem}_{part}.o")
            r = subprocess.run([args.cc, *FLAGS, *includes, "-c", src, "-o", obj],
                               capture_output=True, text=True)
            if r.returncode != 0:
                print(f"FAIL {src}:\n{r.stderr}")
                failed = True
            else:
                print(f"ok {stem}_{part}.c builds for the target")
    if "pager" in args.stems and not failed:
        disasm = subprocess.run([args.objdump, "-d", os.path.join(args.work, "pager_client.o")],
                                capture_output=True, text=True, check=True).stdout
        for fn, stores in REGISTER_ONLY.items():
            body = function_body(disasm, fn)
            mem = [ins for ins in body if re.match(r"(ld|st)(r|p|ur)", ins.split()[0])]
            st = [ins for ins in mem if ins.startswith("st")]
            if len(mem) != stores or len(st) != stores or not any("svc" in i for i in body):
                print(f"FAIL {fn}: expected {stores} store(s) and no loads around one svc, got:\n  " + "\n  ".join(body))
                failed = True
            else:
                print(f"ok {fn}: {len(body)} instructions, message in registers, {stores} store(s) of out values")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
