#!/bin/sh
# Test the DTB parser on Debian's real Raspberry Pi 4 device tree.
#
# usage: rpi4-debian-dtb.sh CACHE_DIR DTB_TEST
#
# bcm2711-rpi-4-b.dtb comes from Debian's arm64 linux-image package (the one
# linux-image-arm64 depends on). The ~60 MB package is fetched once with
# `apt-get download` (no root, nothing installed) and only the DTB is kept in
# CACHE_DIR. If it cannot be had (no network, no arm64 in apt's lists), exit 77,
# which ctest reports as a skip, not a pass.
set -eu
cache=$1
dtb_test=$2
dtb="$cache/bcm2711-rpi-4-b.dtb"

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

if [ ! -s "$dtb" ]; then
	mkdir -p "$cache" || skip "cannot create $cache"
	pkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\).*/\1/p' | head -n 1)
	[ -n "$pkg" ] || skip "apt knows no linux-image-arm64:arm64 (is arm64 enabled: dpkg --add-architecture arm64 && apt-get update?)"
	work=$(mktemp -d "$cache/linux-image.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	(cd "$work" && apt-get download "$pkg" >/dev/null 2>&1) || skip "apt-get download $pkg failed"
	dpkg-deb --fsys-tarfile "$work"/*.deb |
		tar -xO --wildcards './usr/lib/linux-image-*/broadcom/bcm2711-rpi-4-b.dtb' > "$work/dtb" ||
		skip "$pkg has no bcm2711-rpi-4-b.dtb"
	[ -s "$work/dtb" ] || skip "$pkg has no bcm2711-rpi-4-b.dtb"
	mv "$work/dtb" "$dtb"
	echo "cached $dtb from $pkg"
fi
exec "$dtb_test" rpi4-debian "$dtb"
