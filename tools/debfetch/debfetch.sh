#!/bin/sh
# Download Debian packages of any suite and architecture without touching the
# system: apt-get runs with a private sources list, state and cache under
# $FAULTLINE_CACHE/apt/<suite>-<arch>, and an empty dpkg status, so nothing is
# installed and the system's apt lists and packages stay as they are.
#
# usage: debfetch.sh [--suite S] [--arch A] [--components "C..."] COMMAND PKG...
#   download PKG...   fetch exactly these packages
#   closure PKG...    fetch them and everything they depend on (no Recommends);
#                     with an empty status this is the whole closure, libc6 too
#   depends PKG       print the names of PKG's direct Depends, one a line
# download and closure print the path of each .deb, one a line, on stdout.
#
# --suite defaults to this system's Debian codename and --arch to dpkg's;
# --components defaults to "main". The mirror is the one this system's own apt
# sources use for Debian (so a local mirror or proxy keeps working). Archive
# keys come from /usr/share/keyrings/debian-archive-keyring.gpg (Debian 12's
# debian-archive-keyring also holds trixie's). On failure: one line on stderr
# saying why, exit 1.
set -eu

suite=
arch=
components=main
cache=${FAULTLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

die() {
	echo "debfetch: $*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case "$1" in
	--suite) suite=${2:?--suite needs a value}; shift 2 ;;
	--arch) arch=${2:?--arch needs a value}; shift 2 ;;
	--components) components=${2:?--components needs a value}; shift 2 ;;
	-*) die "unknown option '$1'" ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || die "usage: debfetch.sh [--suite S] [--arch A] [--components C] download|closure|depends PKG..."
cmd=$1
shift
case "$cmd" in download | closure | depends) ;; *) die "unknown command '$cmd'" ;; esac

command -v apt-get >/dev/null || die "apt-get not found (not a Debian system)"
[ -r "$keyring" ] || die "no $keyring (install debian-archive-keyring)"
[ -n "$arch" ] || arch=$(dpkg --print-architecture)
if [ -z "$suite" ]; then
	suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$suite" ] || die "cannot tell this system's Debian codename: pass --suite"
fi

# system_mirror: the URI the system's apt uses for Debian's main archive.
system_mirror() {
	apt-get indextargets --format '$(SITE) $(RELEASE) $(COMPONENT)' 2>/dev/null |
		awk '$3 == "main" && $2 !~ /-security|-updates|-backports/ { print $1; exit }'
}

mirror=$(system_mirror)
[ -n "$mirror" ] || die "no Debian mirror in this system's apt sources (apt-get indextargets shows none)"
mirror=${mirror%/}

dir=$cache/apt/$suite-$arch
mkdir -p "$dir/etc/sources.list.d" "$dir/etc/preferences.d" "$dir/state/lists/partial" \
	"$dir/cache/archives/partial" || die "cannot create $dir"
: >>"$dir/state/status"
# apt runs without its own locks (Debug::NoLocking: they are the system's);
# this lock keeps two callers from sharing the private state at once.
exec 9>"$dir/lock"
flock 9 || die "cannot lock $dir/lock"
list="deb [arch=$arch signed-by=$keyring] $mirror $suite $components"
if [ "$(cat "$dir/etc/sources.list" 2>/dev/null)" != "$list" ]; then
	echo "$list" >"$dir/etc/sources.list"
	rm -f "$dir/state/lists/"*_Packages* "$dir/state/lists/"*Release*
fi

pkgs=$*

# apt_private TOOL ARGS...: run apt-get or apt-cache with every path private.
apt_private() {
	tool=$1
	shift
	"$tool" -o "Dir::Etc::SourceList=$dir/etc/sources.list" \
		-o "Dir::Etc::SourceParts=$dir/etc/sources.list.d" \
		-o "Dir::Etc::Preferences=$dir/etc/preferences" \
		-o "Dir::Etc::PreferencesParts=$dir/etc/preferences.d" \
		-o "Dir::State=$dir/state" -o "Dir::State::status=$dir/state/status" \
		-o "Dir::Cache=$dir/cache" -o "APT::Architecture=$arch" \
		-o "APT::Architectures::=$arch" -o "APT::Sandbox::User=root" \
		-o "Debug::NoLocking=1" -o "APT::Install-Recommends=false" \
		-o "APT::Keep-Downloaded-Packages=true" -o "Acquire::Languages=none" "$@"
}

# update: refresh the private lists (once a day at most, or when asked).
update() {
	if [ "${1:-}" = force ] || [ -z "$(find "$dir/state/lists" -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null)" ]; then
		apt_private apt-get -q -q update >"$dir/update.log" 2>&1 ||
			die "apt-get update for $suite/$arch failed (see $dir/update.log)"
	fi
}

# names: the .deb file names of the packages (download) or their closure.
# apt prints no URI for a file already in its cache, so ask it about an
# empty one.
names() {
	rm -rf "$dir/empty"
	mkdir -p "$dir/empty/partial"
	# shellcheck disable=SC2086
	if [ "$cmd" = closure ]; then
		apt_private apt-get -o "Dir::Cache::Archives=$dir/empty" -q -q -y --print-uris \
			install $pkgs
	else
		(cd "$dir/empty" && apt_private apt-get -q -q --print-uris download $pkgs)
	fi | sed -n "s/^'[^']*' \([^ ]*\.deb\) .*/\1/p"
}

# fetch: download what uris names into the private cache.
fetch() {
	if [ "$cmd" = closure ]; then
		# shellcheck disable=SC2086
		apt_private apt-get -q -q -y --download-only install $pkgs >"$dir/fetch.log" 2>&1
	else
		# shellcheck disable=SC2086
		(cd "$dir/cache/archives" && apt_private apt-get -q -q download $pkgs) >"$dir/fetch.log" 2>&1
	fi
}

update
if [ "$cmd" = depends ]; then
	# shellcheck disable=SC2086
	apt_private apt-cache depends $pkgs 2>/dev/null | sed -n 's/^ *Depends: \([^ <>]*\).*/\1/p'
	exit 0
fi
if ! fetch; then
	# Lists a day old may name files the mirror no longer has: refresh once.
	update force
	fetch || die "cannot download $pkgs from $suite/$arch ($(tail -n 1 "$dir/fetch.log"))"
fi
names=$(names) || die "apt cannot resolve $pkgs in $suite/$arch"
[ -n "$names" ] || die "apt resolved $pkgs in $suite/$arch to nothing"
for n in $names; do
	f=$dir/cache/archives/$n
	[ -f "$f" ] || die "apt did not leave $n in $dir/cache/archives"
	echo "$f"
done
