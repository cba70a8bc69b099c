"""QEMU command lines for Faultline: the one place they are spelled out.

`./faultline run`, the boot-matrix tests and the test-server runner all build
their QEMU invocation from a `Machine`, so a test boots exactly what a user
boots. Two ways in:
  direct:  -kernel faultline.Image (QEMU's own boot stub, x0 = DTB)
  U-Boot:  -bios u-boot.bin with the build's disk image (uboot-virt.img: an
           MBR disk whose FAT partition holds boot.scr and the Image).
Bootargs go to -append directly; through U-Boot they go into a U-Boot
environment in the second pflash bank, which boot.scr copies into
`bootargs` before `booti`, so U-Boot writes them into the DTB's /chosen.
"""

import dataclasses
import os
import subprocess

QEMU = "qemu-system-aarch64"
UBOOT_BIOS = "/usr/lib/u-boot/qemu_arm64/u-boot.bin"
# QEMU virt's flash banks are 64 MiB each; U-Boot's qemu_arm64 build keeps a
# 256 KiB environment at the start of the second bank (CONFIG_ENV_SIZE).
PFLASH_SIZE = 64 << 20
UBOOT_ENV_SIZE = 0x40000

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class MissingImage(Exception):
    """A boot image the build should have made is not there."""


def images_dir(build):
    """Where the target build puts bootable images and the kernel ELF."""
    return os.path.join(os.path.abspath(build), "target", "images")


def kernel_image(build):
    """Path of the kernel Image; raises MissingImage if it was not built."""
    path = os.path.join(images_dir(build), "faultline.Image")
    if not os.path.isfile(path):
        raise MissingImage("kernel image not found: build it first (%s)" % path)
    return path


def kernel_elf(build):
    """Path of the kernel ELF with symbols (for gdb); may not exist yet."""
    return os.path.join(images_dir(build), "faultline.elf")


def uboot_disk(build):
    """Path of the U-Boot disk image; raises MissingImage if not built."""
    path = os.path.join(images_dir(build), "uboot-virt.img")
    if not os.path.isfile(path):
        raise MissingImage("U-Boot disk image not found: build it first (%s)" % path)
    return path


# The swap disk (docs/swap.md): a sparse raw file in the build tree, attached
# as a virtio-blk device whose serial tells swapd it is the swap disk.
# swapd drives only modern (version 2) virtio-mmio, which QEMU 7.2 offers
# only when told to.
SWAP_SERIAL = "flswap"
SWAP_SIZE = 64 << 20


def swap_disk(build, size=SWAP_SIZE):
    """Create <build>/swap.img (sparse, `size` bytes, contents discarded)
    and return its path."""
    path = os.path.join(os.path.abspath(build), "swap.img")
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def make_uboot_env(path, bootargs, board="qemu-virt"):
    """Write a pflash image holding the board's U-Boot environment.

    The environment is boards/<board>/uboot-env.txt plus
    faultline_bootargs=<bootargs>. Caller owns `path` (it is overwritten)."""
    source = os.path.join(REPO, "boards", board, "uboot-env.txt")
    with open(source) as f:
        text = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
    if "\n" in bootargs:
        raise ValueError("bootargs must be one line")
    text.append("faultline_bootargs=" + bootargs)
    env_txt = path + ".txt"
    with open(env_txt, "w") as f:
        f.write("\n".join(text) + "\n")
    subprocess.run(["mkenvimage", "-s", str(UBOOT_ENV_SIZE), "-o", path, env_txt],
                   check=True, stdout=subprocess.DEVNULL)
    os.truncate(path, PFLASH_SIZE)
    return path


@dataclasses.dataclass
class Machine:
    """One QEMU virt configuration. Fields map one to one to `run` options.

    kernel: the Image (direct boot; with U-Boot it is on the disk instead)
    uboot_disk: boot through U-Boot from this disk image when set
    uboot_default_env: with U-Boot, keep U-Boot's built-in environment (the
      distro boot scan with its 2 s delay) instead of the pflash one; then
      bootargs cannot be passed
    swap: attach this file as the swap disk (see swap_disk())
    """

    kernel: str = None
    smp: int = 2
    mem: str = "1G"
    cpu: str = "cortex-a72"
    gic: int = None
    el2: bool = False
    icount: bool = False
    bootargs: str = ""
    dtb: str = None
    uboot_disk: str = None
    uboot_default_env: bool = False
    gdb: bool = False
    board: str = "qemu-virt"
    swap: str = None

    def check(self):
        """Raise ValueError with a clear message if the options cannot work."""
        if self.board != "qemu-virt":
            raise ValueError("board %r cannot be run in QEMU virt by this harness" % self.board)
        if not isinstance(self.smp, int) or self.smp < 1:
            raise ValueError("--smp must be a positive number of CPUs, not %r" % (self.smp,))
        if self.gic not in (None, 2, 3):
            raise ValueError("--gic must be 2 or 3, not %r" % (self.gic,))
        if self.gic == 2 and self.smp > 8:
            raise ValueError("GICv2 supports at most 8 CPUs (asked for %d)" % self.smp)
        if self.uboot_disk is None and self.kernel is None:
            raise ValueError("no kernel image given")
        if self.uboot_disk is not None and self.dtb is not None:
            raise ValueError("a DTB file cannot be given when booting through U-Boot")
        if self.uboot_disk is not None and self.uboot_default_env and self.bootargs:
            raise ValueError("bootargs through U-Boot need the pflash environment")

    def machine_option(self):
        """The -M value: virt plus the GIC, EL2 and determinism options."""
        opts = ["virt"]
        if self.gic is not None:
            opts.append("gic-version=%d" % self.gic)
        if self.el2:
            opts.append("virtualization=on")
        if self.icount:
            opts.append("dtb-randomness=off")
        return ",".join(opts)

    def command(self, workdir, interactive=False):
        """The full QEMU argv. Files this run needs (the U-Boot pflash
        environment) are written into `workdir`, which the caller owns.

        interactive: keep QEMU's monitor on the console (Ctrl-A c); otherwise
        the console is the serial port alone, for a harness reading stdout."""
        self.check()
        argv = [QEMU, "-M", self.machine_option(), "-cpu", self.cpu, "-smp", str(self.smp),
                "-m", self.mem, "-nographic", "-nic", "none"]
        if not interactive:
            argv += ["-monitor", "none"]
        if self.icount:
            argv += ["-icount", "shift=0,sleep=off", "-rtc", "clock=vm"]
        if self.uboot_disk is not None:
            argv += ["-bios", UBOOT_BIOS,
                     "-drive", "if=none,file=%s,format=raw,id=boot,readonly=on" % self.uboot_disk,
                     "-device", "virtio-blk-device,drive=boot"]
            if not self.uboot_default_env:
                os.makedirs(workdir, exist_ok=True)
                env = make_uboot_env(os.path.join(workdir, "uboot-env.pflash"), self.bootargs,
                                     self.board)
                argv += ["-drive", "if=pflash,format=raw,index=1,file=%s" % env]
        else:
            argv += ["-kernel", self.kernel]
            if self.bootargs:
                argv += ["-append", self.bootargs]
            if self.dtb is not None:
                argv += ["-dtb", self.dtb]
        if self.swap is not None:
            argv += ["-global", "virtio-mmio.force-legacy=false",
                     "-drive", "if=none,file=%s,format=raw,id=swap" % self.swap,
                     "-device", "virtio-blk-device,drive=swap,serial=%s" % SWAP_SERIAL]
        if self.gdb:
            argv += ["-s", "-S"]
        return argv
