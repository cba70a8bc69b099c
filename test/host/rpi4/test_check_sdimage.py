"""The SD-image check must refuse each way an image can be wrong.

A small image is made the way the rpi4 build makes one (tools/fatdisk, the
board's config.txt and boot.cmd through mkimage), with stand-in contents for
the binaries that carry the headers the check reads; then one thing at a
time is broken.
"""

import os
import shutil
import struct
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, HERE)

import check_sdimage  # noqa: E402

FATDISK = os.path.join(REPO, "tools", "fatdisk", "fatdisk.py")
BOARD = os.path.join(REPO, "boards", "rpi4")


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def _parts(d):
    """The build outputs an image is made from, in folder d."""
    image = bytearray(4096)
    image[56:60] = b"ARM\x64"
    dtb = struct.pack(">I", check_sdimage.FDT_MAGIC) + b"\0" * 60 + b"raspberrypi,4-model-b\0"
    subprocess.run(["mkimage", "-A", "arm64", "-O", "linux", "-T", "script", "-C", "none",
                    "-d", os.path.join(BOARD, "boot.cmd"), os.path.join(d, "boot.scr")],
                   check=True, capture_output=True)
    return {
        "config.txt": os.path.join(BOARD, "config.txt"),
        "u-boot.bin": _write(os.path.join(d, "u-boot.bin"), b"u-boot" * 100),
        "bcm2711-rpi-4-b.dtb": _write(os.path.join(d, "bcm2711-rpi-4-b.dtb"), dtb),
        "boot.scr": os.path.join(d, "boot.scr"),
        "faultline.Image": _write(os.path.join(d, "faultline.Image"), bytes(image)),
        "start4.elf": _write(os.path.join(d, "start4.elf"), b"\x7fELF" + b"\0" * 60),
        "fixup4.dat": _write(os.path.join(d, "fixup4.dat"), b"fixup"),
    }


def _make(d, files, size=8, swap=4):
    subprocess.run([sys.executable, FATDISK, "-o", os.path.join(d, "rpi4-sd.img"),
                    "--size", str(size), "--swap", str(swap)]
                   + ["%s=%s" % kv for kv in files.items()],
                   check=True, capture_output=True)


@pytest.fixture
def images(tmp_path):
    d = str(tmp_path)
    files = _parts(d)
    _make(d, files)
    return d, files


def test_good_image_passes(images):
    assert check_sdimage.check(images[0]) == []


def test_missing_boot_scr_fails(images):
    d, files = images
    del files["boot.scr"]
    _make(d, files)
    assert any("boot.scr is not on the FAT partition" in p for p in check_sdimage.check(d))


def test_size_not_power_of_two_fails(images):
    d, files = images
    _make(d, files, size=9)
    assert any("power of two" in p for p in check_sdimage.check(d))


def test_config_without_enable_uart_fails(images, tmp_path):
    d, files = images
    files["config.txt"] = _write(str(tmp_path / "config.txt"), b"arm_64bit=1\nkernel=u-boot.bin\n")
    _make(d, files)
    assert "config.txt lacks 'enable_uart=1'" in check_sdimage.check(d)


def test_stale_kernel_on_card_fails(images):
    d, files = images
    with open(os.path.join(d, "faultline.Image"), "r+b") as f:
        f.seek(100)
        f.write(b"newer build")
    assert "faultline.Image on the card differs from the build's" in check_sdimage.check(d)


def test_missing_firmware_fails_unless_the_build_said_so(images):
    d, files = images
    del files["start4.elf"], files["fixup4.dat"]
    _make(d, files)
    assert "start4.elf is not on the FAT partition" in check_sdimage.check(d)
    _write(os.path.join(d, "rpi4-sd.nofirmware"), b"rpi4: no firmware\n")
    assert check_sdimage.check(d) == []


def test_non_script_boot_scr_fails(images):
    d, files = images
    shutil.copyfile(files["u-boot.bin"], files["boot.scr"])
    _make(d, files)
    assert any("not a U-Boot script image" in p for p in check_sdimage.check(d))


def _table(d, table):
    subprocess.run(["sfdisk", "--quiet", os.path.join(d, "rpi4-sd.img")],
                   input="label: dos\n" + table, text=True, check=True, capture_output=True)


def test_missing_swap_partition_fails(images):
    d, files = images
    _make(d, files, swap=0)
    assert "1 partitions, expected two (FAT boot, swap)" in check_sdimage.check(d)


def test_third_partition_fails(images):
    d, _ = images
    _table(d, "start=2048, size=6144, type=c, bootable\nstart=8192, size=4096, type=82\n"
           "start=12288, type=83\n")
    assert "3 partitions, expected two (FAT boot, swap)" in check_sdimage.check(d)


def test_swap_partition_of_another_type_fails(images):
    d, _ = images
    _table(d, "start=2048, size=6144, type=c, bootable\nstart=8192, type=83\n")
    assert "second partition type 83, expected 82 (Linux swap)" in check_sdimage.check(d)


def test_swap_overlapping_the_fat_partition_fails(images):
    d, _ = images
    # sfdisk refuses to write overlapping partitions: move the swap
    # partition's first sector (MBR entry 2, LBA start) into the FAT one.
    with open(os.path.join(d, "rpi4-sd.img"), "r+b") as f:
        f.seek(446 + 16 + 8)
        f.write(struct.pack("<I", 8000))
    assert "the swap partition overlaps the FAT partition" in check_sdimage.check(d)


def test_unavailable_is_a_skip(images, capsys):
    d, _ = images
    _write(os.path.join(d, "rpi4-sd.unavailable"), b"rpi4: no SD image: no network\n")
    assert check_sdimage.main(["check_sdimage.py", d]) == 77
    assert "no network" in capsys.readouterr().out
