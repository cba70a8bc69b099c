#!/bin/sh
# The Raspberry Pi 4 SD-card image: MBR, a FAT partition with the Pi
# firmware, config.txt, U-Boot rpi_4, the DTB, boot.scr and the kernel Image,
# and a swap partition (type 0x82, SWAP_MIB at the end) where swapd keeps
# its slots.
#
# usage: sdimage.sh [--optional] IMAGES_DIR KERNEL_IMAGE BOOT_SCR CONFIG_TXT
#
# Writes into IMAGES_DIR: rpi4-sd.img (128 MiB: 64 of FAT, 64 of swap; QEMU's
# raspi4b needs an SD image whose size is a power of two, and a real card
# takes any size),
# u-boot.bin and bcm2711-rpi-4-b.dtb (QEMU boots them as -kernel and -dtb),
# and rpi4-sd.stamp once all is done.
#
# The parts come from Debian's arm64 packages, downloaded (not installed)
# with tools/debfetch and kept in $FAULTLINE_CACHE/rpi4:
#   u-boot-rpi       usr/lib/u-boot/rpi_4/u-boot.bin
#   linux-image-*    bcm2711-rpi-4-b.dtb (the file the DTB tests cache too)
#   raspi-firmware   start4.elf, fixup4.dat (component non-free-firmware)
# Without the firmware the image is still made (it boots in QEMU, which needs
# none) and one line says which files to copy onto the card by hand (also
# kept in rpi4-sd.nofirmware, for the image check). Without
# U-Boot or the DTB there is no image: exit 1 with one line saying why, or
# with --optional (the rpi4 media built beside another board for the tests)
# write rpi4-sd.unavailable with that line instead, and exit 0.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
debfetch=$repo/tools/debfetch/debfetch.sh
cache=${FAULTLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline}
media=$cache/rpi4
optional=
if [ "${1:-}" = --optional ]; then
	optional=1
	shift
fi
[ $# -eq 4 ] || { echo "usage: sdimage.sh [--optional] IMAGES_DIR KERNEL_IMAGE BOOT_SCR CONFIG_TXT" >&2; exit 1; }
images=$1
kernel=$2
bootscr=$3
config=$4
out=$images/rpi4-sd.img
stamp=$images/rpi4-sd.stamp
unavailable=$images/rpi4-sd.unavailable
nofirmware=$images/rpi4-sd.nofirmware
rm -f "$stamp" "$unavailable" "$nofirmware"

# cannot WHY: no image can be made.
cannot() {
	rm -f "$out"
	if [ -n "$optional" ]; then
		echo "rpi4: no SD image: $*" | tee "$unavailable" >&2
		touch "$stamp"
		exit 0
	fi
	echo "rpi4: cannot make the SD image: $*" >&2
	exit 1
}

# extract DEB PATH DEST: copy the file PATH (./usr/...) out of DEB to DEST.
extract() {
	dpkg-deb --fsys-tarfile "$1" | tar -xO "$2" >"$3.tmp" && [ -s "$3.tmp" ] && mv "$3.tmp" "$3"
}

mkdir -p "$media" || cannot "cannot create $media"

if [ ! -s "$media/u-boot.bin" ]; then
	deb=$("$debfetch" --arch arm64 download u-boot-rpi) || cannot "cannot download u-boot-rpi:arm64"
	extract "$deb" ./usr/lib/u-boot/rpi_4/u-boot.bin "$media/u-boot.bin" ||
		cannot "u-boot-rpi:arm64 has no usr/lib/u-boot/rpi_4/u-boot.bin"
fi

if [ ! -s "$cache/bcm2711-rpi-4-b.dtb" ]; then
	pkg=$("$debfetch" --arch arm64 depends linux-image-arm64 | grep '^linux-image-[0-9]' | head -n 1) ||
		cannot "apt knows no linux-image-arm64:arm64"
	[ -n "$pkg" ] || cannot "linux-image-arm64:arm64 depends on no linux-image-<version>"
	deb=$("$debfetch" --arch arm64 download "$pkg") || cannot "cannot download $pkg:arm64"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO --wildcards './usr/lib/linux-image-*/broadcom/bcm2711-rpi-4-b.dtb' >"$media/dtb.tmp" &&
		[ -s "$media/dtb.tmp" ] || cannot "$pkg has no bcm2711-rpi-4-b.dtb"
	mv "$media/dtb.tmp" "$cache/bcm2711-rpi-4-b.dtb"
fi

firmware=
if [ -s "$media/start4.elf" ] && [ -s "$media/fixup4.dat" ]; then
	firmware=1
elif deb=$("$debfetch" --arch arm64 --components non-free-firmware download raspi-firmware 2>"$media/firmware.log") &&
	extract "$deb" ./usr/lib/raspi-firmware/start4.elf "$media/start4.elf" &&
	extract "$deb" ./usr/lib/raspi-firmware/fixup4.dat "$media/fixup4.dat"; then
	firmware=1
else
	echo "rpi4: Debian's raspi-firmware (non-free-firmware) could not be had: copy start4.elf and fixup4.dat from the boot/ folder of the official Raspberry Pi firmware release onto the card's FAT partition ($(tail -n 1 "$media/firmware.log" 2>/dev/null))" |
		tee "$nofirmware" >&2
fi

cp "$media/u-boot.bin" "$images/u-boot.bin"
cp "$cache/bcm2711-rpi-4-b.dtb" "$images/bcm2711-rpi-4-b.dtb"
set -- config.txt="$config" u-boot.bin="$media/u-boot.bin" \
	bcm2711-rpi-4-b.dtb="$cache/bcm2711-rpi-4-b.dtb" boot.scr="$bootscr" \
	faultline.Image="$kernel"
if [ -n "$firmware" ]; then
	set -- start4.elf="$media/start4.elf" fixup4.dat="$media/fixup4.dat" "$@"
fi
/usr/bin/python3 "$repo/tools/fatdisk/fatdisk.py" -o "$out" --size 128 --swap 64 --label FAULTLINE "$@"
touch "$stamp"
