#!/usr/bin/env python3
"""Check that every C source and header in git is formatted with the
project's .clang-format (clang-format --dry-run --Werror).

Generated golden files (tools/codegen/tests/golden) are compared byte for
byte with the generator's output instead, so they are left out.

Usage: check_format.py [--fix] [REPO]
Exit status: 0 all formatted, 1 some file is not (each listed), 2 clang-format
or git is missing.
"""
import argparse
import shutil
import subprocess
import sys
from pathlib import Path

EXCLUDED_PREFIXES = ("tools/codegen/tests/golden/",)


def find_clang_format():
    """clang-format, or Debian's versioned name for it."""
    for name in ("clang-format", "clang-format-14", "clang-format-15", "clang-format-16"):
        path = shutil.which(name)
        if path:
            return path
    return None


def sources(repo):
    """C files tracked by git, minus the excluded ones."""
    out = subprocess.run(["git", "-C", str(repo), "ls-files", "*.c", "*.h"],
                         check=True, capture_output=True, text=True).stdout
    return [f for f in out.split() if not f.startswith(EXCLUDED_PREFIXES)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fix", action="store_true", help="reformat the files in place")
    ap.add_argument("repo", nargs="?", default=Path(__file__).resolve().parents[2])
    args = ap.parse_args()
    tool = find_clang_format()
    if not tool:
        print("check_format: clang-format is not installed (Debian package clang-format)")
        return 2
    try:
        files = sources(args.repo)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"check_format: cannot list the sources with git: {e}")
        return 2
    bad = []
    for f in files:
        cmd = [tool, "-i" if args.fix else "--dry-run", "--Werror", f]
        if subprocess.run(cmd, cwd=args.repo, capture_output=True).returncode != 0:
            bad.append(f)
    for f in bad:
        print(f"not formatted: {f} (clang-format -i {f})")
    print(f"check_format: {len(files) - len(bad)} of {len(files)} files formatted")
    return 1 if bad and not args.fix else 0


if __name__ == "__main__":
    sys.exit(main())
