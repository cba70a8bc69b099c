"""fatdisk.py makes disks U-Boot can boot from: MBR, one FAT partition at 1 MiB
(and with --swap a swap partition after it)."""

import json
import os
import subprocess
import sys

TOOL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fatdisk.py")
ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1")


def fatdisk(*args):
    return subprocess.run([sys.executable, TOOL] + list(args), capture_output=True, text=True)


def read_file(img, path):
    return subprocess.run(["mtype", "-i", img + "@@1M", "::/" + path], capture_output=True,
                          check=True, env=ENV).stdout


def test_disk_has_one_bootable_fat_partition_with_the_files(tmp_path):
    kernel = tmp_path / "Image"
    kernel.write_bytes(os.urandom(100000))
    script = tmp_path / "boot.scr"
    script.write_bytes(b"script")
    img = str(tmp_path / "disk.img")
    r = fatdisk("-o", img, "--size", "8", "faultline.Image=%s" % kernel, "boot.scr=%s" % script,
                "dtbs/board.dtb=%s" % script)
    assert r.returncode == 0, r.stderr
    assert os.path.getsize(img) == 8 << 20
    table = json.loads(subprocess.run(["sfdisk", "-J", img], capture_output=True, check=True,
                                      text=True).stdout)["partitiontable"]
    assert table["label"] == "dos"
    [part] = table["partitions"]
    assert (part["start"], part["type"], part.get("bootable")) == (2048, "c", True)
    assert part["start"] + part["size"] == (8 << 20) // 512
    assert read_file(img, "faultline.Image") == kernel.read_bytes()
    assert read_file(img, "boot.scr") == b"script"
    assert read_file(img, "dtbs/board.dtb") == b"script"


def test_swap_option_adds_a_zeroed_swap_partition_after_the_fat_one(tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b"data")
    img = str(tmp_path / "disk.img")
    r = fatdisk("-o", img, "--size", "8", "--swap", "3", "f=%s" % f)
    assert r.returncode == 0, r.stderr
    table = json.loads(subprocess.run(["sfdisk", "-J", img], capture_output=True, check=True,
                                      text=True).stdout)["partitiontable"]
    fat, swap = table["partitions"]
    assert (fat["start"], fat["type"], fat.get("bootable")) == (2048, "c", True)
    assert fat["start"] + fat["size"] == (5 << 20) // 512
    assert (swap["start"], swap["size"], swap["type"]) == ((5 << 20) // 512, (3 << 20) // 512,
                                                           "82")
    assert read_file(img, "f") == b"data"
    with open(img, "rb") as d:
        d.seek(5 << 20)
        assert d.read() == bytes(3 << 20)
    r = fatdisk("-o", img, "--size", "8", "--swap", "5", "f=%s" % f)
    assert r.returncode == 1 and "at least 4 MiB for the FAT partition" in r.stderr


def test_same_input_gives_the_same_image(tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b"x" * 5000)
    os.utime(f, (1700000000, 1700000000))
    a, b = str(tmp_path / "a.img"), str(tmp_path / "b.img")
    assert fatdisk("-o", a, "--size", "4", "f=%s" % f).returncode == 0
    assert fatdisk("-o", b, "--size", "4", "f=%s" % f).returncode == 0
    assert open(a, "rb").read() == open(b, "rb").read()


def test_bad_input_is_refused_clearly(tmp_path):
    big = tmp_path / "big"
    big.write_bytes(b"\0" * (5 << 20))
    out = str(tmp_path / "o.img")
    r = fatdisk("-o", out, "--size", "4", "big=%s" % big)
    assert r.returncode == 1 and "do not fit in a 4 MiB disk" in r.stderr
    r = fatdisk("-o", out, "x=%s" % (tmp_path / "missing"))
    assert r.returncode == 1 and "no such file" in r.stderr
    r = fatdisk("-o", out, "nodest")
    assert r.returncode == 1 and "expected DEST=SRC" in r.stderr
    assert not os.path.exists(out)
