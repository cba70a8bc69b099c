#!/usr/bin/python3
"""Check the Raspberry Pi 4 SD-card image the rpi4 build made.

    check_sdimage.py IMAGES_DIR

IMAGES_DIR is the rpi4 build's images folder (rpi4-sd.img and the files it
was made from). The image passes if:
  - its size is a power of two (QEMU's raspi4b refuses other SD sizes);
  - sfdisk reads an MBR (dos) table with exactly two partitions: FAT32 LBA
    (type c), bootable, from sector 2048; after it (no overlap), up to the
    end of the disk at most, the swap partition (type 82, Linux swap, at
    least 1 MiB) where swapd keeps its slots;
  - that partition is a FAT file system (mtools reads it) holding
    config.txt (arm_64bit=1, enable_uart=1, kernel=u-boot.bin),
    u-boot.bin, bcm2711-rpi-4-b.dtb, boot.scr and faultline.Image, each the
    same bytes as the build's copy, and start4.elf and fixup4.dat (the Pi
    firmware: ELF, and non-empty) unless the build recorded that it could
    not download them (rpi4-sd.nofirmware, whose line is printed);
  - boot.scr is a U-Boot script image whose script runs booti, the Image has
    the arm64 Image magic and the DTB is a Raspberry Pi 4 device tree.
Prints one line per problem and exits 1; 0 if none. Exits 77 (ctest: skip)
if the build recorded that it could not make the image (rpi4-sd.unavailable,
no download possible), saying why.
"""

import json
import os
import struct
import subprocess
import sys
import tempfile

SECTOR = 512
PART_START = 2048
SWAP_MIN_SECTORS = 2048
FIRMWARE = ("start4.elf", "fixup4.dat")
SAME_AS_BUILD = ("u-boot.bin", "bcm2711-rpi-4-b.dtb", "boot.scr", "faultline.Image")
CONFIG_LINES = ("arm_64bit=1", "enable_uart=1", "kernel=u-boot.bin")
UIMAGE_MAGIC = 0x27051956
IH_TYPE_SCRIPT = 6
FDT_MAGIC = 0xD00DFEED


def partition_problems(img):
    """Problems with the image's size and partition table."""
    out = []
    size = os.path.getsize(img)
    if size == 0 or size & (size - 1):
        out.append("image size %d is not a power of two" % size)
    p = subprocess.run(["sfdisk", "--json", img], capture_output=True, text=True)
    if p.returncode != 0:
        return out + ["sfdisk cannot read a partition table: " + p.stderr.strip()]
    table = json.loads(p.stdout)["partitiontable"]
    if table.get("label") != "dos":
        out.append("partition table is %r, not an MBR (dos)" % table.get("label"))
    parts = table.get("partitions", [])
    if len(parts) != 2:
        return out + ["%d partitions, expected two (FAT boot, swap)" % len(parts)]
    part, swap = parts
    if part.get("type") != "c":
        out.append("partition type %s, expected c (W95 FAT32 LBA)" % part.get("type"))
    if not part.get("bootable"):
        out.append("the partition is not marked bootable")
    if part.get("start") != PART_START:
        out.append("partition starts at sector %s, expected %d" % (part.get("start"), PART_START))
    if (part.get("start", 0) + part.get("size", 0)) * SECTOR > size:
        out.append("the partition runs past the end of the image")
    if swap.get("type") != "82":
        out.append("second partition type %s, expected 82 (Linux swap)" % swap.get("type"))
    if swap.get("start", 0) < part.get("start", 0) + part.get("size", 0):
        out.append("the swap partition overlaps the FAT partition")
    if swap.get("size", 0) < SWAP_MIN_SECTORS:
        out.append("the swap partition has %s sectors, fewer than %d"
                   % (swap.get("size"), SWAP_MIN_SECTORS))
    if (swap.get("start", 0) + swap.get("size", 0)) * SECTOR > size:
        out.append("the swap partition runs past the end of the image")
    return out


def fat_files(img):
    """Names of the files in the partition's root directory (upper case)."""
    p = subprocess.run(["mdir", "-b", "-i", "%s@@%d" % (img, PART_START * SECTOR), "::"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise ValueError("mtools cannot read a FAT file system in the partition: "
                         + p.stderr.strip())
    return {line.strip().lstrip(":/").upper() for line in p.stdout.splitlines() if line.strip()}


def read_fat(img, name, tmp):
    """The bytes of file `name` in the partition."""
    dest = os.path.join(tmp, name)
    subprocess.run(["mcopy", "-n", "-i", "%s@@%d" % (img, PART_START * SECTOR), "::" + name,
                    dest], check=True, capture_output=True)
    with open(dest, "rb") as f:
        return f.read()


def content_problems(name, data):
    """Problems with one file's contents, by what the file must be."""
    if name == "config.txt":
        lines = {l.strip() for l in data.decode(errors="replace").splitlines()}
        return ["config.txt lacks %r" % want for want in CONFIG_LINES if want not in lines]
    if name == "boot.scr":
        if len(data) < 64:
            return ["boot.scr is shorter than a U-Boot image header"]
        magic, = struct.unpack(">I", data[:4])
        if magic != UIMAGE_MAGIC or data[30] != IH_TYPE_SCRIPT:
            return ["boot.scr is not a U-Boot script image (mkimage -T script)"]
        if b"booti ${kernel_addr_r}" not in data or b"/faultline.Image" not in data:
            return ["boot.scr does not load /faultline.Image and booti it"]
    if name == "faultline.Image" and data[56:60] != b"ARM\x64":
        return ["faultline.Image has no arm64 Image magic at offset 56"]
    if name == "bcm2711-rpi-4-b.dtb":
        if len(data) < 4 or struct.unpack(">I", data[:4])[0] != FDT_MAGIC:
            return ["bcm2711-rpi-4-b.dtb is not a flattened device tree"]
        if b"raspberrypi,4-model-b" not in data:
            return ["bcm2711-rpi-4-b.dtb is not a Raspberry Pi 4 Model B tree"]
    if name == "start4.elf" and data[:4] != b"\x7fELF":
        return ["start4.elf is not an ELF file"]
    if name == "fixup4.dat" and not data:
        return ["fixup4.dat is empty"]
    return []


def check(images):
    """All problems with images/rpi4-sd.img, as a list of lines."""
    img = os.path.join(images, "rpi4-sd.img")
    if not os.path.isfile(img):
        return ["no SD image at %s" % img]
    problems = partition_problems(img)
    if problems:
        return problems
    try:
        present = fat_files(img)
    except ValueError as e:
        return [str(e)]
    wanted = ("config.txt",) + SAME_AS_BUILD
    nofirmware = os.path.join(images, "rpi4-sd.nofirmware")
    if os.path.exists(nofirmware):
        # The build could not download the firmware and said so; the user
        # copies it by hand (docs/rpi4.md). It must then not be half there.
        with open(nofirmware) as f:
            print("note: " + f.read().strip())
        problems += ["%s is on the card although the build said the firmware could not be had"
                     % n for n in FIRMWARE if n.upper() in present]
    else:
        wanted += FIRMWARE
    missing = [n for n in wanted if n.upper() not in present]
    problems += ["%s is not on the FAT partition" % n for n in missing]
    with tempfile.TemporaryDirectory() as tmp:
        for name in wanted:
            if name in missing:
                continue
            data = read_fat(img, name, tmp)
            problems += content_problems(name, data)
            if name in SAME_AS_BUILD:
                with open(os.path.join(images, name), "rb") as f:
                    if f.read() != data:
                        problems.append("%s on the card differs from the build's" % name)
    return problems


def main(argv):
    if len(argv) != 2:
        print("usage: check_sdimage.py IMAGES_DIR", file=sys.stderr)
        return 2
    images = argv[1]
    why = os.path.join(images, "rpi4-sd.unavailable")
    if os.path.exists(why):
        with open(why) as f:
            print("SKIP: " + f.read().strip())
        return 77
    problems = check(images)
    for p in problems:
        print("rpi4-sd.img: " + p)
    if not problems:
        print("rpi4-sd.img: MBR with a bootable FAT partition holding the firmware, "
              "config.txt, U-Boot, the DTB, boot.scr and the Image, and a swap partition")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
