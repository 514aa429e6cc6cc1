#!/bin/bash
# Fetches a Debian suite's current cloud kernel (the package the
# linux-image-cloud-amd64 metapackage depends on today; SUITE is trixie
# unless given, or $CCINIT_KERNEL_SUITE) and extracts it, without installing
# it, into a cache outside the clone. Prints the extracted root's path. Its
# modules get depmod indexes there (ccimage initramfs reads them).
#
# apt runs on a state of its own per suite (as ccimage's rootfs/deb/apt.c
# does), so the host's sources, pins and status play no part and a bookworm
# host can fetch trixie's kernel.
set -euo pipefail

suite=${1:-${CCINIT_KERNEL_SUITE:-trixie}}
cache=${CCINIT_CACHE:-/var/cache/ccinit}/kernel
aptdir=$cache/apt-$suite
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

mkdir -p "$aptdir"/{state/lists/partial,cache/archives/partial,empty}
cat >"$aptdir/sources.list" <<SRC
deb [signed-by=$keyring] http://deb.debian.org/debian $suite main
deb [signed-by=$keyring] http://deb.debian.org/debian $suite-updates main
deb [signed-by=$keyring] http://deb.debian.org/debian-security $suite-security main
SRC
touch "$aptdir/status"
apt_opts=(-o Dir::Etc::SourceList="$aptdir/sources.list" -o Dir::Etc::SourceParts="$aptdir/empty"
	-o Dir::Etc::Preferences="$aptdir/empty/none" -o Dir::Etc::PreferencesParts="$aptdir/empty"
	-o Dir::State="$aptdir/state" -o Dir::State::status="$aptdir/status"
	-o Dir::Cache="$aptdir/cache" -o Acquire::Languages=none -o APT::Sandbox::User=root)

# An `apt-get update` at most once an hour: "current" must not cost a minute every run.
stamp=$aptdir/update-stamp
if [ -z "$(find "$stamp" -mmin -60 2>/dev/null)" ]; then
	apt-get "${apt_opts[@]}" update -qq >&2 || true
	touch "$stamp"
fi
pkg=$(apt-cache "${apt_opts[@]}" depends linux-image-cloud-amd64 |
	awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$pkg" ] || { echo "kernel.sh: cannot find $suite's cloud kernel package" >&2; exit 1; }
version=$(apt-cache "${apt_opts[@]}" policy "$pkg" | awk '/Candidate:/ {print $2}')
dir=$cache/$pkg-$version

if [ ! -f "$dir/.complete" ]; then
	rm -rf "$dir" && mkdir -p "$dir/deb"
	(cd "$dir/deb" && apt-get "${apt_opts[@]}" download -qq "$pkg" >&2)
	dpkg-deb -x "$dir"/deb/*.deb "$dir/root"
	kver=${pkg#linux-image-}
	# Debian 13's package is usr-merged (modules in /usr/lib/modules); a usr-merged
	# system has /lib as a link there, and so does this tree: every reader of
	# root/lib/modules, and the host's depmod -b, find the modules.
	if [ ! -e "$dir/root/lib" ] && [ -d "$dir/root/usr/lib/modules" ]; then
		ln -s usr/lib "$dir/root/lib"
	fi
	depmod -b "$dir/root" "$kver"
	echo "$kver" >"$dir/kver"
	touch "$dir/.complete"
fi
echo "$dir"
