"""QEMU command lines: each `run` option turns into the QEMU argument it names."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import machine  # noqa: E402
from machine import Machine  # noqa: E402


def arg_after(argv, flag):
    return argv[argv.index(flag) + 1]


def test_direct_boot_defaults(tmp_path):
    argv = Machine(kernel="/k/Image").command(str(tmp_path))
    assert argv[0] == "qemu-system-aarch64"
    assert arg_after(argv, "-M") == "virt"
    assert arg_after(argv, "-cpu") == "cortex-a72"
    assert arg_after(argv, "-smp") == "2"
    assert arg_after(argv, "-m") == "1G"
    assert arg_after(argv, "-kernel") == "/k/Image"
    assert arg_after(argv, "-nic") == "none"
    assert arg_after(argv, "-monitor") == "none"
    assert "-append" not in argv and "-s" not in argv and "-bios" not in argv


def test_options_map_to_qemu_arguments(tmp_path):
    m = Machine(kernel="/k", smp=4, mem="512M", cpu="max", gic=3, el2=True, icount=True,
                bootargs="kernel.tickcheck x=1", dtb="/d.dtb", gdb=True)
    argv = m.command(str(tmp_path), interactive=True)
    assert arg_after(argv, "-M") == "virt,gic-version=3,virtualization=on,dtb-randomness=off"
    assert arg_after(argv, "-icount") == "shift=0,sleep=off"
    assert arg_after(argv, "-rtc") == "clock=vm"
    assert arg_after(argv, "-append") == "kernel.tickcheck x=1"
    assert arg_after(argv, "-dtb") == "/d.dtb"
    assert arg_after(argv, "-smp") == "4" and arg_after(argv, "-cpu") == "max"
    assert argv[-2:] == ["-s", "-S"]
    assert "-monitor" not in argv


def test_uboot_bootargs_go_into_the_pflash_environment(tmp_path):
    m = Machine(uboot_disk="/b/uboot-virt.img", bootargs="kernel.tickcheck")
    argv = m.command(str(tmp_path))
    assert arg_after(argv, "-bios") == machine.UBOOT_BIOS
    assert "-kernel" not in argv and "-append" not in argv
    assert "if=none,file=/b/uboot-virt.img,format=raw,id=boot,readonly=on" in argv
    assert "virtio-blk-device,drive=boot" in argv
    flash = str(tmp_path / "uboot-env.pflash")
    assert "if=pflash,format=raw,index=1,file=" + flash in argv
    assert os.path.getsize(flash) == machine.PFLASH_SIZE
    # Read the environment back the way U-Boot would see it.
    with open(flash, "rb") as f:
        env = f.read(machine.UBOOT_ENV_SIZE)
    import zlib
    assert int.from_bytes(env[:4], "little") == zlib.crc32(env[4:])
    entries = env[4:].split(b"\0")
    assert b"faultline_bootargs=kernel.tickcheck" in entries
    assert b"bootdelay=0" in entries
    assert any(e.startswith(b"bootcmd=") and b"/boot.scr" in e for e in entries)


def test_uboot_default_environment_has_no_pflash(tmp_path):
    argv = Machine(uboot_disk="/b/d.img", uboot_default_env=True).command(str(tmp_path))
    assert not any("pflash" in a for a in argv)


@pytest.mark.parametrize("kw, message", [
    (dict(smp=0), "--smp must be a positive number"),
    (dict(gic=4), "--gic must be 2 or 3"),
    (dict(gic=2, smp=9), "GICv2 supports at most 8 CPUs"),
    (dict(board="rpi4"), "cannot be run in QEMU virt"),
    (dict(kernel=None), "no kernel image given"),
    (dict(uboot_disk="/d", dtb="/x"), "cannot be given when booting through U-Boot"),
    (dict(uboot_disk="/d", uboot_default_env=True, bootargs="a"), "need the pflash"),
])
def test_bad_options_are_refused_clearly(tmp_path, kw, message):
    args = dict(kernel="/k")
    args.update(kw)
    with pytest.raises(ValueError, match=message):
        Machine(**args).command(str(tmp_path))


def test_missing_images_say_build_first(tmp_path):
    with pytest.raises(machine.MissingImage, match="kernel image not found: build it first"):
        machine.kernel_image(str(tmp_path))
    with pytest.raises(machine.MissingImage, match="U-Boot disk image not found"):
        machine.uboot_disk(str(tmp_path))

