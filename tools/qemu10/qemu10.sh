#!/bin/sh
# QEMU 10 in a private prefix, for the Raspberry Pi 4 machine (raspi4b) that
# Debian 12's QEMU 7.2 lacks.
#
# usage: qemu10.sh PREFIX
#
# Fetches Debian trixie's qemu-system-arm and every package it depends on
# (libc6 included: trixie's QEMU needs a newer glibc than Debian 12's) with
# tools/debfetch (private apt state, nothing installed), unpacks them into
# PREFIX with dpkg-deb -x, and writes PREFIX/bin/qemu-system-aarch64: a script
# that starts QEMU through the prefix's own dynamic loader with the prefix's
# libraries, modules and firmware. Prints that script's path on stdout.
# Done once: a prefix that is complete (PREFIX/.complete names the packages
# and the wrapper runs) is reused as it is.
#
# On failure: one line on stderr saying why, exit 1 (the rpi4 tests then skip).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
debfetch=$here/../debfetch/debfetch.sh

die() {
	echo "qemu10: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: qemu10.sh PREFIX"
prefix=$1
case "$prefix" in /*) ;; *) prefix=$(pwd)/$prefix ;; esac
wrapper=$prefix/bin/qemu-system-aarch64
[ "$(uname -m)" = x86_64 ] || die "the private QEMU is made for x86_64 hosts, not $(uname -m)"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found (not a Debian system)"

# works: true if the wrapper in the prefix starts QEMU 10.
works() {
	[ -f "$prefix/.complete" ] && "$wrapper" -version 2>/dev/null | grep -q 'version 10\.'
}

mkdir -p "$(dirname "$prefix")" || die "cannot create $(dirname "$prefix")"
# One installer at a time (test cases start in parallel); the rest wait.
exec 9>"$prefix.lock"
flock 9 || die "cannot lock $prefix.lock"
if works; then
	echo "$wrapper"
	exit 0
fi

debs=$("$debfetch" --suite trixie --arch amd64 closure qemu-system-arm 2>"$prefix.fetch.log") ||
	die "cannot fetch trixie's qemu-system-arm: $(tail -n 1 "$prefix.fetch.log")"
tmp=$prefix.tmp
rm -rf "$tmp" "$prefix"
mkdir -p "$tmp/bin"
for deb in $debs; do
	dpkg-deb -x "$deb" "$tmp" || die "cannot unpack $deb"
done
[ -x "$tmp/usr/bin/qemu-system-aarch64" ] || die "trixie's qemu-system-arm has no qemu-system-aarch64"
[ -e "$tmp/usr/lib64/ld-linux-x86-64.so.2" ] || die "trixie's libc6 gave no usr/lib64/ld-linux-x86-64.so.2"

# The wrapper finds the prefix from its own location, so the prefix can move.
# QEMU_MODULE_DIR and -L keep QEMU 10 away from the system QEMU's modules and
# firmware (-L comes first so that a -L on the command line adds to it).
cat >"$tmp/bin/qemu-system-aarch64" <<'EOF'
#!/bin/sh
# QEMU 10 (Debian trixie) from this private prefix: its own ld.so and libraries.
p=$(cd "$(dirname "$0")/.." && pwd)
lib=$p/usr/lib/x86_64-linux-gnu
QEMU_MODULE_DIR=$lib/qemu exec "$p/usr/lib64/ld-linux-x86-64.so.2" \
	--library-path "$lib:$p/lib/x86_64-linux-gnu" \
	"$p/usr/bin/qemu-system-aarch64" -L "$p/usr/share/qemu" "$@"
EOF
chmod +x "$tmp/bin/qemu-system-aarch64"
for deb in $debs; do basename "$deb"; done >"$tmp/.complete"
mv "$tmp" "$prefix"
works || die "QEMU 10 in $prefix does not start: try $wrapper -version"
echo "$wrapper"
