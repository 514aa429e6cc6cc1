#!/bin/bash
# A recipe whose root comes from a directory (what mkosi's Format=directory
# makes) instead of Debian packages: `tree: {source, exclude}`. Builds it twice
# from trees staged differently (order, times, modes of the excluded files) and
# checks the outputs are the same bytes, the excluded paths are gone, and
# --explain says each kept file came from the tree. `make check-slow` does the
# same with a real mkosi 14 build.
. "$(dirname "$0")/../lib/tap.sh"
need "$CCIMAGE" build/test-agent build/deps/sbin/mke2fs
workdir

stage_tree() { # $1 dir, $2 time
	mkdir -p "$1"/{usr/bin,etc,proc,sys,dev,run,tmp,var/log,var/cache/ldconfig}
	cp build/test-agent "$1/usr/bin/kata-agent"
	echo "tree probe" >"$1/etc/probe"
	echo "build log $2" >"$1/var/log/bootstrap.log"
	touch -d "@$2" "$1/etc/probe" "$1/usr/bin/kata-agent"
}
stage_tree "$work/tree1" 1000000
stage_tree "$work/tree2" 2000000

for i in 1 2; do
	cat >"$work/r$i.yaml" <<YAML
format: 1
name: tree
source-date-epoch: 1700000000
tree:
  source: tree$i
  exclude: [/var/log/**, /var/cache/**]
debian:
  suite: bookworm
  components: [main]
kernel:
  package: linux-image-cloud-amd64
  initramfs-modules:
    profiles: [storage]
initramfs:
  init: $PWD/build/ccinit
  files:
    /sbin/mke2fs: {source: $PWD/build/deps/sbin/mke2fs, mode: 0755}
image:
  compress: lz4hc
  salt-seed: tree
cmdline: "{root}"
YAML
done
"$CCIMAGE" lock "$work/r1.yaml" --output "$work/lock" --quiet 2>"$work/lock.err" ||
	{ nok "lock: $(tail -1 "$work/lock.err")"; finish; }
for i in 1 2; do
	(umask 0$((i * 22)) && "$CCIMAGE" build "$work/r$i.yaml" --lock "$work/lock" --out "$work/out$i" \
		--quiet --explain >"$work/explain$i" 2>"$work/build$i.err")
	check "build $i from tree$i" '[ $? -eq 0 ]' || sed 's/^/#   /' "$work/build$i.err"
done
for f in tree.erofs tree.verity tree.img initramfs.cpio; do
	check "$f identical across the two trees" 'cmp -s "$work/out1/$f" "$work/out2/$f"'
done
check "--explain names the tree as the probe's origin" 'grep -E "^/etc/probe.*tree" "$work/explain1" >/dev/null'
check "excluded /var/log is not in the image" '! grep -q "^/var/log/bootstrap.log" "$work/explain1"'
finish
