#!/usr/bin/env python3
"""Write the boot archive: a cpio "newc" archive (what `cpio -o -H newc`
writes, and `cpio -t` reads) of user ELF files, named without their .elf
suffix, in the order given. Deterministic: every inode, time and id is 0."""
import os
import sys


def entry(name: str, data: bytes, ino: int) -> bytes:
    namez = name.encode() + b"\0"
    fields = [ino, 0o100644 if data is not None else 0, 0, 0, 1, 0,
              len(data or b""), 0, 0, 0, 0, len(namez), 0]
    hdr = b"070701" + b"".join(b"%08x" % f for f in fields)
    out = hdr + namez
    out += b"\0" * (-len(out) % 4)
    out += data or b""
    out += b"\0" * (-len(out) % 4)
    return out


def main(argv):
    if len(argv) < 2:
        sys.exit("usage: mkarchive.py OUT FILE...")
    out, files = argv[0], argv[1:]
    blob = b""
    seen = set()
    for i, path in enumerate(files, 1):
        name = os.path.basename(path)
        if name.endswith(".elf"):
            name = name[:-4]
        if name in seen:
            sys.exit(f"mkarchive.py: two programs named {name}")
        seen.add(name)
        with open(path, "rb") as f:
            blob += entry(name, f.read(), i)
    blob += entry("TRAILER!!!", None, 0)
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(blob)
    os.replace(tmp, out)


if __name__ == "__main__":
    main(sys.argv[1:])
