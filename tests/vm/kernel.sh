#!/bin/bash
# Fetches Debian bookworm's current cloud kernel (the package the
# linux-image-cloud-amd64 metapackage depends on today) and extracts it,
# without installing it, into a cache outside the clone. Prints the extracted
# root's path. Its modules get depmod indexes there (ccimage initramfs reads them).
set -euo pipefail

cache=${CCINIT_CACHE:-/var/cache/ccinit}/kernel

apt_cache_updated() {
	# An `apt-get update` at most once an hour: "current" must not cost a minute every run.
	local stamp=/var/lib/apt/periodic/ccinit-update-stamp
	if [ -z "$(find "$stamp" -mmin -60 2>/dev/null)" ]; then
		apt-get update -qq >&2 || true
		mkdir -p "$(dirname "$stamp")" && touch "$stamp"
	fi
}

apt_cache_updated
pkg=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$pkg" ] || { echo "kernel.sh: cannot find the cloud kernel package" >&2; exit 1; }
version=$(apt-cache policy "$pkg" | awk '/Candidate:/ {print $2}')
dir=$cache/$pkg-$version

if [ ! -f "$dir/.complete" ]; then
	rm -rf "$dir" && mkdir -p "$dir/deb"
	(cd "$dir/deb" && apt-get download -qq "$pkg" >&2)
	dpkg-deb -x "$dir"/deb/*.deb "$dir/root"
	kver=${pkg#linux-image-}
	depmod -b "$dir/root" "$kver"
	echo "$kver" >"$dir/kver"
	touch "$dir/.complete"
fi
echo "$dir"
