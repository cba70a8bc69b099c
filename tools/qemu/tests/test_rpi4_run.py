"""`./faultline run --board rpi4`: the options raspi4b cannot take are refused
with one line, the ones it can take turn into its QEMU arguments, and the
virt defaults stay what they were."""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "boards", "rpi4"))

import boot  # noqa: E402
import raspi4b  # noqa: E402


@pytest.mark.parametrize("opts, words", [
    (dict(smp=2), "--smp 2: raspi4b always has 4 CPUs"),
    (dict(mem="1G"), "--mem: raspi4b always has 2 GiB"),
    (dict(gic=3), "--gic 3: the Raspberry Pi 4 has a GIC-400"),
    (dict(cpu="max"), "--cpu max: raspi4b's CPUs are Cortex-A72s"),
])
def test_options_raspi4b_cannot_take_are_refused(opts, words):
    with pytest.raises(ValueError) as e:
        raspi4b.check_run_options(**opts)
    assert words in str(e.value)
    assert "\n" not in str(e.value)


def test_options_raspi4b_has_are_accepted():
    raspi4b.check_run_options(smp=4, gic=2, cpu="cortex-a72")
    raspi4b.check_run_options()


@pytest.fixture
def build(tmp_path, monkeypatch):
    """A build tree configured for rpi4 with stand-in images; QEMU 10 and
    the DTB's console lookup are not needed to make a command line."""
    images = tmp_path / "target" / "images"
    images.mkdir(parents=True)
    for name in ("rpi4-sd.stamp", "bcm2711-rpi-4-b.dtb", "u-boot.bin", "faultline.Image"):
        (images / name).write_bytes(b"x")
    with open(images / "rpi4-sd.img", "wb") as f:
        f.truncate(1 << 20)
    (tmp_path / "CMakeCache.txt").write_text("FAULTLINE_BOARD:STRING=rpi4\n")
    monkeypatch.setattr(raspi4b, "qemu", lambda b: "qemu10")
    monkeypatch.setattr(raspi4b, "console_serial", lambda dtb: 1)
    return str(tmp_path)


def test_direct_run_attaches_a_copy_of_the_sd_image(build, tmp_path):
    args = boot.parse(["--board", "rpi4", "--gdb", "--icount", "--", "kernel.tickcheck"])
    argv = boot.rpi4_command(args, build, str(tmp_path / "w"), interactive=False)
    assert argv[argv.index("-M") + 1] == "raspi4b"
    assert argv[argv.index("-kernel") + 1].endswith("target/images/faultline.Image")
    assert argv[argv.index("-append") + 1] == "kernel.tickcheck"
    sd = argv[argv.index("-drive") + 1]
    assert sd == "if=sd,format=raw,file=%s" % (tmp_path / "w" / "sd.img")
    assert os.path.getsize(tmp_path / "w" / "sd.img") == 1 << 20
    assert "-s" in argv and "-S" in argv and "-icount" in argv
    assert argv[argv.index("-monitor") + 1] == "none"
    serials = [argv[i + 1] for i, a in enumerate(argv) if a == "-serial"]
    assert serials[1] == "stdio" and serials[0].startswith("file:")


def test_uboot_run_boots_u_boot_from_the_sd_image(build, tmp_path):
    args = boot.parse(["--board", "rpi4", "--uboot"])
    argv = boot.rpi4_command(args, build, str(tmp_path / "w"), interactive=True)
    assert argv[argv.index("-kernel") + 1].endswith("u-boot.bin")
    assert "if=sd" in argv[argv.index("-drive") + 1]
    assert "-monitor" not in argv
    assert "mon:stdio" in argv


def test_virt_defaults_are_unchanged(tmp_path, monkeypatch):
    monkeypatch.setattr(boot.machine, "swap_disk", lambda b: "/s.img")
    monkeypatch.setattr(boot.machine, "kernel_image", lambda b: "/k/Image")
    argv = boot.virt_command(boot.parse([]), str(tmp_path), str(tmp_path / "w"), False)
    assert argv[argv.index("-smp") + 1] == "2"
    assert argv[argv.index("-m") + 1] == "1G"
    assert argv[argv.index("-cpu") + 1] == "cortex-a72"


def test_rpi4_run_ends_at_system_off():
    class T:
        lines = ["all 4 cpus idle", "system off (requested by thread 7)"]

    assert boot.powered_off(T())
    T.lines = ["all 4 cpus idle"]
    assert not boot.powered_off(T())


def test_copy_without_swap_has_no_swap_partition(tmp_path):
    img = tmp_path / "sd.img"
    mbr = bytearray(1 << 20)
    mbr[446 + 4] = 0x0C  # FAT32 LBA
    mbr[446 + 16 + 4] = 0x82  # Linux swap
    mbr[446 + 16 + 8] = 0x10
    mbr[510:512] = b"\x55\xaa"
    img.write_bytes(bytes(mbr))
    with_swap = raspi4b.sd_with_bootargs(str(img), str(tmp_path / "a.img"), "")
    without = raspi4b.sd_with_bootargs(str(img), str(tmp_path / "b.img"), "", swap=False)
    a, b = open(with_swap, "rb").read(), open(without, "rb").read()
    assert a == bytes(mbr)
    assert b[446 + 4] == 0x0C and b[446 + 16:446 + 32] == bytes(16)
    assert b[:446] == a[:446] and b[510:] == a[510:]
