#!/usr/bin/python3
"""Make a disk image with an MBR and one FAT partition holding given files.

U-Boot finds boot.scr only on a partitioned disk (a bare FAT image is not
found), so boot media are built as: MBR, one FAT partition starting at 1 MiB,
files copied in with mtools. Needs no root: sfdisk works on a file and
mkfs.vfat/mtools take a byte offset. The result is reproducible (fixed volume
id, --invariant) so rebuilding the same files gives the same image.

    fatdisk.py -o disk.img --size 32 [--label NAME] [--swap MIB] DEST=SRC [DEST=SRC ...]

DEST is the path inside the FAT file system (directories are created).
--swap MIB ends the FAT partition MIB MiB before the end of the disk and
puts a second partition of type 0x82 (Linux swap) there, left zeroed: the
Raspberry Pi 4's swapd keeps its swap slots in it (docs/rpi4.md).
"""

import argparse
import os
import subprocess
import sys

OFFSET = 1 << 20  # the partition starts at sector 2048


def fail(msg):
    print("fatdisk: " + msg, file=sys.stderr)
    sys.exit(1)


def parse_files(pairs):
    """Split DEST=SRC arguments; every SRC must be a readable file."""
    files = []
    for pair in pairs:
        dest, sep, src = pair.partition("=")
        if not sep or not dest or not src:
            fail("expected DEST=SRC, got %r" % pair)
        if not os.path.isfile(src):
            fail("no such file: %s" % src)
        files.append((dest.strip("/"), src))
    return files


def make_disk(out, size_mib, label, files, swap_mib=0):
    """Write the disk image to `out` (via a temporary file, then rename)."""
    total = size_mib << 20
    fat_end = total - (swap_mib << 20)
    need = sum(os.path.getsize(src) for _, src in files)
    if need + (2 << 20) > fat_end:
        fail("%d bytes of files do not fit in a %d MiB disk with %d MiB of swap"
             % (need, size_mib, swap_mib))
    tmp = out + ".tmp"
    if os.path.exists(tmp):
        os.unlink(tmp)
    with open(tmp, "wb") as f:
        f.truncate(total)
    table = "label: dos\nlabel-id: 0x46415554\n"
    if swap_mib:
        table += "start=2048, size=%d, type=c, bootable\nstart=%d, type=82\n" % (
            (fat_end - OFFSET) // 512, fat_end // 512)
    else:
        table += "start=2048, type=c, bootable\n"
    run(["sfdisk", "--quiet", tmp], table)
    run(["mkfs.vfat", "--invariant", "-i", "46415554", "-n", label, "--offset", "2048", tmp,
         str((fat_end - OFFSET) // 1024)])
    image = "%s@@%d" % (tmp, OFFSET)
    made = set()
    for dest, src in files:
        parts = dest.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in made:
                run(["mmd", "-i", image, "::/" + d])
                made.add(d)
        run(["mcopy", "-m", "-o", "-i", image, src, "::/" + dest])
    os.replace(tmp, out)


def run(argv, stdin=None):
    """Run one disk tool; stop with its own message if it fails."""
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    p = subprocess.run(argv, input=stdin, text=True, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if p.returncode != 0:
        fail("%s failed:\n%s" % (" ".join(argv), p.stdout))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", required=True, help="disk image to write")
    ap.add_argument("--size", type=int, default=32, help="disk size in MiB (default 32)")
    ap.add_argument("--label", default="FAULTLINE", help="FAT volume label")
    ap.add_argument("--swap", type=int, default=0,
                    help="MiB at the end of the disk for a second partition, type 0x82")
    ap.add_argument("files", nargs="+", metavar="DEST=SRC")
    args = ap.parse_args()
    if args.size < 4:
        fail("--size must be at least 4 MiB")
    if args.swap < 0 or args.swap > args.size - 4:
        fail("--swap must leave at least 4 MiB for the FAT partition")
    make_disk(args.output, args.size, args.label[:11].upper(), parse_files(args.files),
              args.swap)


if __name__ == "__main__":
    main()
