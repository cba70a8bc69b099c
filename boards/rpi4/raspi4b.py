"""QEMU 10's raspi4b for Faultline's rpi4 board: the one place its command
line is spelled out (the qemu-virt one is tools/qemu/machine.py).

Two ways in, as on a real Pi 4:
  direct:  -kernel faultline.Image -dtb bcm2711-rpi-4-b.dtb (QEMU's own boot
           stub: EL2, x0 = DTB, CPUs 1-3 in the DTB's spin table)
  U-Boot:  -kernel u-boot.bin (rpi_4) and the build's SD-card image on
           -drive if=sd; boot.scr on it boots the Image with booti.
raspi4b always has four Cortex-A72s and 2 GiB (of which the DTB's firmware
view gives Faultline the low 960 MiB). Bootargs go to -append directly, and
through U-Boot into faultline.env on a copy of the SD image, which boot.scr
imports.

The console is the UART the DTB's /chosen/stdout-path names: QEMU's first
-serial is the PL011 (UART0), the second the mini UART (UART1). The harness
reads that one on stdout; the other goes to a file beside the log.

QEMU 10 is not Debian 12's: tools/qemu10 unpacks trixie's into
<build>/qemu10 on first use. If that cannot be done, `qemu()` raises
Unavailable with the one-line reason, and the rpi4 tests skip.
"""

import os
import shutil
import subprocess
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
QEMU10 = os.path.join(REPO, "tools", "qemu10", "qemu10.sh")

NCPUS = 4  # raspi4b's Cortex-A72s

# QEMU raspi4b's -serial order, by the compatible of the UART node.
SERIAL_INDEX = {"arm,pl011": 0, "brcm,bcm2835-aux-uart": 1}


class Unavailable(Exception):
    """Something the rpi4 tests need cannot be had here (not a failure)."""


class Missing(Exception):
    """An rpi4 build output is not there: build first (a failure)."""


_lock = threading.Lock()
_qemu = {}  # build dir -> wrapper path, or the Unavailable raised


def qemu(build):
    """Path of QEMU 10 (installing it into <build>/qemu10 once per build).
    Raises Unavailable with one line saying why it cannot be had."""
    with _lock:
        if build not in _qemu:
            p = subprocess.run([QEMU10, os.path.join(build, "qemu10")], capture_output=True,
                               text=True)
            lines = (p.stderr.strip() or "no message").splitlines()
            if p.returncode == 0:
                _qemu[build] = p.stdout.strip().splitlines()[-1]
            else:
                _qemu[build] = Unavailable("QEMU 10 for raspi4b could not be installed: "
                                           + lines[-1])
        got = _qemu[build]
    if isinstance(got, Exception):
        raise got
    return got


def _configured_for_rpi4(build):
    """Is the build tree itself configured for the rpi4 board?"""
    try:
        with open(os.path.join(build, "CMakeCache.txt")) as f:
            return any(l.startswith("FAULTLINE_BOARD:") and l.strip().endswith("=rpi4")
                       for l in f)
    except OSError:
        return False


def images_dir(build):
    """The rpi4 build's images: <build>/target/images (a build for rpi4) or
    <build>/target-rpi4/images (built beside another board), the one the
    build tree is configured for first."""
    subs = ("target-rpi4", "target")
    if _configured_for_rpi4(build):
        subs = ("target", "target-rpi4")
    for sub in subs:
        d = os.path.join(os.path.abspath(build), sub, "images")
        if os.path.exists(os.path.join(d, "rpi4-sd.stamp")):
            return d
    raise Missing("the rpi4 images are not built (no rpi4-sd.stamp under %s/target-rpi4 "
                  "or target): build first" % build)


def media(build, name):
    """Path of one rpi4 build output. Raises Unavailable if the build could
    not download U-Boot or the DTB (it says why), Missing if not built."""
    d = images_dir(build)
    why = os.path.join(d, "rpi4-sd.unavailable")
    if os.path.exists(why):
        with open(why) as f:
            raise Unavailable(f.read().strip())
    path = os.path.join(d, name)
    if not os.path.isfile(path):
        raise Missing("%s was not built (%s)" % (name, path))
    return path


def _fdtget(dtb, node, prop):
    p = subprocess.run(["fdtget", "-t", "s", dtb, node, prop], capture_output=True, text=True)
    return p.stdout.strip() if p.returncode == 0 else None


def console_serial(dtb):
    """The -serial index of the UART /chosen/stdout-path names in `dtb`.
    Raises ValueError if the DTB names none this machine has."""
    path = _fdtget(dtb, "/chosen", "stdout-path")
    if not path:
        raise ValueError("%s has no /chosen/stdout-path" % dtb)
    path = path.split(":")[0]
    if not path.startswith("/"):
        alias = _fdtget(dtb, "/aliases", path)
        if not alias:
            raise ValueError("stdout-path %r is no alias in %s" % (path, dtb))
        path = alias
    compatible = _fdtget(dtb, path, "compatible") or ""
    for c in compatible.split():
        if c in SERIAL_INDEX:
            return SERIAL_INDEX[c]
    raise ValueError("stdout-path %s (%s) is no UART raspi4b has" % (path, compatible))


def _drop_swap_partition(img):
    """Mark the MBR's swap partitions (type 0x82) as unused entries, so swapd
    finds no swap area on this copy and the pager runs without swap."""
    with open(img, "r+b") as f:
        f.seek(446)
        table = bytearray(f.read(64))
        for i in range(4):
            if table[16 * i + 4] == 0x82:
                table[16 * i:16 * i + 16] = bytes(16)
        f.seek(446)
        f.write(table)


def sd_with_bootargs(sd_image, copy, bootargs, swap=True):
    """Copy `sd_image` to `copy` and, if there are bootargs, add
    faultline.env (bootargs=...) to its FAT partition; without swap, drop
    the swap partition from the copy's MBR. Caller owns `copy`."""
    if "\n" in bootargs:
        raise ValueError("bootargs must be one line")
    os.makedirs(os.path.dirname(copy), exist_ok=True)
    shutil.copyfile(sd_image, copy)
    if not swap:
        _drop_swap_partition(copy)
    if bootargs:
        env = copy + ".env"
        with open(env, "w") as f:
            f.write("bootargs=%s\n" % bootargs)
        subprocess.run(["mcopy", "-o", "-i", copy + "@@1M", env, "::faultline.env"],
                       check=True, capture_output=True)
        os.unlink(env)
    return copy


def check_run_options(smp=None, mem=None, gic=None, cpu=None):
    """Raise ValueError with one line if a `run` option cannot apply to
    raspi4b (None: not given)."""
    if smp not in (None, NCPUS):
        raise ValueError("--smp %s: raspi4b always has %d CPUs" % (smp, NCPUS))
    if mem is not None:
        raise ValueError("--mem: raspi4b always has 2 GiB (its DTB gives the low 960 MiB)")
    if gic not in (None, 2):
        raise ValueError("--gic %s: the Raspberry Pi 4 has a GIC-400 (GICv2)" % gic)
    if cpu not in (None, "cortex-a72"):
        raise ValueError("--cpu %s: raspi4b's CPUs are Cortex-A72s" % cpu)


def command(build, workdir, uboot=False, bootargs="", sd=False, gdb=False, icount=False,
            interactive=False, swap=True):
    """The QEMU argv for one raspi4b boot of the rpi4 build in `build`.
    Files this run needs (an SD-image copy, the other UART's output) go into
    `workdir`, which the caller owns and may delete after the run.

    uboot: boot U-Boot from a copy of the SD image (bootargs in faultline.env)
    sd: with a direct boot, attach a copy of the SD image all the same (its
        swap partition gives swapd a swap area)
    swap: keep the copy's swap partition; without it the pager runs without
        swap, as on virt without a swap disk
    gdb: wait for gdb on :1234; icount: exact mode (one instruction per ns)
    interactive: QEMU's monitor multiplexed on the console (Ctrl-A c)"""
    dtb = media(build, "bcm2711-rpi-4-b.dtb")
    console = console_serial(dtb)
    os.makedirs(workdir, exist_ok=True)
    other = "file:" + os.path.join(workdir, "other-uart.log")
    serials = [other, other]
    serials[console] = "mon:stdio" if interactive else "stdio"
    argv = [qemu(build), "-M", "raspi4b", "-nographic", "-audio", "none", "-dtb", dtb]
    if not interactive:
        argv += ["-monitor", "none"]
    for s in serials:
        argv += ["-serial", s]
    if icount:
        argv += ["-icount", "shift=0,sleep=off", "-rtc", "clock=vm"]
    if uboot:
        card = sd_with_bootargs(media(build, "rpi4-sd.img"), os.path.join(workdir, "sd.img"),
                                bootargs, swap)
        argv += ["-kernel", media(build, "u-boot.bin"),
                 "-drive", "if=sd,format=raw,file=%s" % card]
    else:
        argv += ["-kernel", media(build, "faultline.Image")]
        if bootargs:
            argv += ["-append", bootargs]
        if sd:
            card = sd_with_bootargs(media(build, "rpi4-sd.img"),
                                    os.path.join(workdir, "sd.img"), "", swap)
            argv += ["-drive", "if=sd,format=raw,file=%s" % card]
    if gdb:
        argv += ["-s", "-S"]
    return argv
