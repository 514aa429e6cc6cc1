#!/bin/bash
# ccimage build on recipes/test.yaml, against the Debian archive (apt, network):
# - two builds from the same lock, in different directories, under different
#   umasks, with the recipe's packages and files in reverse order, give the
#   same bytes for the root image, hash tree, disk, initramfs and SBOM;
# - dropping a library's slice makes the ELF closure add it back, saying which
#   binary needs it, and the image does not change;
# - a wrong sha256 or a version the archive does not have stops the build,
#   naming the package; a recipe error names its line.
# The lock is made fresh (the archive moves); `ccimage lock --check` must call
# it current, and stale once a pin is moved; the committed lock's state is
# printed as a comment (a stale committed lock is news, not a failure).
TAP_PREFIX="recipe: "
. "$(dirname "$0")/../lib/tap.sh"

for tool in mkfs.erofs apt-get depmod; do
	if ! command -v $tool >/dev/null; then
		nok "ccimage build: $tool not installed (make host-deps installs it)"
		finish
	fi
done
need "$CCIMAGE" build/ccinit build/test-agent build/deps/sbin/mke2fs
workdir
sets=(--set "ccinit=$ROOT/build/ccinit" --set "agent=$ROOT/build/test-agent"
	--set "mke2fs=$ROOT/build/deps/sbin/mke2fs")

# A fresh lock: the archive moves, so the committed one cannot be assumed current.
mkdir -p "$work/a/recipes" "$work/b/sub/recipes"
cp recipes/test.yaml "$work/a/recipes/test.yaml"
if ! "$CCIMAGE" lock "$work/a/recipes/test.yaml" --quiet 2>"$work/lock.err"; then
	nok "ccimage lock"
	sed 's/^/#   /' "$work/lock.err"
	finish
fi
ok "ccimage lock pins $(grep -c '^package ' "$work/a/recipes/test.yaml.lock") packages"
# `lock --check` against today's archive: the lock just written is current; the same lock
# with one pin moved back is stale and names it. The committed lock's state is only news.
"$CCIMAGE" lock "$work/a/recipes/test.yaml" --check >"$work/check.out" 2>&1
check "lock --check: a lock written today is current (exit 0)" \
	'[ $? -eq 0 ] && grep -q ": current (" "$work/check.out"' || sed 's/^/#   /' "$work/check.out"
sed -E 's/^(package base-files )[^ ]+/\10~moved/' "$work/a/recipes/test.yaml.lock" >"$work/moved.lock"
"$CCIMAGE" lock "$work/a/recipes/test.yaml" --check --lock "$work/moved.lock" >"$work/check.out" 2>&1
check "lock --check: a moved pin is stale (exit 1), named in one line" \
	'[ $? -eq 1 ] && [ "$(wc -l <"$work/check.out")" -eq 1 ] && grep -q "1 of [0-9]* pins moved.*base-files 0~moved -> " "$work/check.out"' ||
	sed 's/^/#   /' "$work/check.out"
echo "# committed lock: $("$CCIMAGE" lock recipes/test.yaml --check 2>&1)"

# The same recipe with its packages and local files in reverse order.
cat >"$work/reorder.py" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def reverse_section(text, key):
    head, rest = text.split("\n%s:\n" % key, 1)
    body, sep, tail = re.split(r"(\n)(?=\S)", rest, 1) if re.search(r"\n(?=\S)", rest) else (rest, "", "")
    blocks, cur = [], []
    for line in body.split("\n"):
        if re.match(r"^  \S", line) and cur:
            blocks.append(cur); cur = []
        cur.append(line)
    blocks.append(cur)
    return head + "\n%s:\n" % key + "\n".join("\n".join(b) for b in reversed(blocks)) + sep + tail
text = reverse_section(reverse_section(text, "packages"), "files")
open(sys.argv[2], "w").write(text)
PY
python3 "$work/reorder.py" "$ROOT/recipes/test.yaml" "$work/b/sub/recipes/test.yaml"
cp "$work/a/recipes/test.yaml.lock" "$work/b/sub/recipes/test.yaml.lock"
if cmp -s recipes/test.yaml "$work/b/sub/recipes/test.yaml" ||
	! grep -q '^  libc6: {}$' "$work/b/sub/recipes/test.yaml"; then
	nok "the reordered recipe differs from the original (test setup)"
fi

build() { # DIR RECIPE OUT UMASK [extra args]
	local dir=$1 recipe=$2 out=$3 mask=$4
	shift 4
	(cd "$dir" && umask "$mask" && "$CCIMAGE" build "$recipe" --out "$out" "${sets[@]}" "$@")
}
if build "$work/a" recipes/test.yaml "$work/out-a" 022 --quiet --explain >/dev/null 2>"$work/a.err"; then
	ok "build A (umask 022)"
else
	nok "build A (umask 022)"
	sed 's/^/#   /' "$work/a.err"
	finish
fi
# Build B's local inputs are copies elsewhere, with other times and modes on the host.
mkdir -p "$work/b/inputs"
for f in ccinit test-agent deps/sbin/mke2fs; do
	cp "build/$f" "$work/b/inputs/$(basename "$f")"
done
chmod 0700 "$work/b/inputs"/*
touch -d "2001-01-01" "$work/b/inputs"/*
sets_a=("${sets[@]}")
sets=(--set "ccinit=$work/b/inputs/ccinit" --set "agent=$work/b/inputs/test-agent"
	--set "mke2fs=$work/b/inputs/mke2fs")
if build "$work/b/sub" recipes/test.yaml "$work/b/out" 077 --quiet >/dev/null 2>"$work/b.err"; then
	ok "build B (umask 077, reversed package and file order, other directories, copied inputs)"
else
	nok "build B"
	sed 's/^/#   /' "$work/b.err"
	finish
fi
sets=("${sets_a[@]}")
for f in test.erofs test.verity test.img initramfs.cpio test.spdx.json cmdline.txt; do
	if cmp -s "$work/out-a/$f" "$work/b/out/$f"; then
		ok "identical $f ($(stat -c %s "$work/out-a/$f") bytes)"
	else
		nok "identical $f"
	fi
done

# The kernel ships .ko.xz; the initramfs holds them unpacked (modules/README.md, 4).
check "initramfs: the storage modules unpacked (.ko, no .ko.xz or .ko.zst)" \
	'cpio -it --quiet <"$work/out-a/initramfs.cpio" | grep -q "\.ko$" &&
	 ! cpio -it --quiet <"$work/out-a/initramfs.cpio" | grep -qE "\.ko\.(xz|zst)$"'

# What went in is described: SPDX 2.3 with every package, and the dpkg status stub.
if python3 - "$work/out-a/test.spdx.json" "$work/a/recipes/test.yaml.lock" <<'PY'; then
import json, sys
d = json.load(open(sys.argv[1]))
assert d["spdxVersion"] == "SPDX-2.3", d["spdxVersion"]
pins = {l.split()[1]: l.split() for l in open(sys.argv[2]) if l.startswith("package ")}
pk = {p["name"]: p for p in d["packages"]}
for name, f in pins.items():
    assert pk[name]["versionInfo"] == f[2], name
    assert pk[name]["checksums"][0]["checksumValue"] == f[4], name
files = {f["fileName"]: f for f in d["files"]}
assert "./usr/sbin/mke2fs" in files and "./var/lib/dpkg/status" in files
assert all(len(f["checksums"]) == 2 for f in d["files"])
assert "GPL" in pk["e2fsprogs"]["licenseDeclared"], pk["e2fsprogs"]["licenseDeclared"]
PY
	ok "SBOM: SPDX 2.3, every pinned package with its version and .deb sha256, every file hashed"
else
	nok "SBOM content"
fi
if cmp -s <(grep '^Package: ' "$work/out-a/root/var/lib/dpkg/status" 2>/dev/null) /dev/null; then :; fi
"$CCIMAGE" build "$work/a/recipes/test.yaml" --out "$work/out-k" "${sets[@]}" --quiet --keep-stage >/dev/null 2>&1
if grep -q '^Package: libc6$' "$work/out-k/root/var/lib/dpkg/status" &&
	grep -q '^Status: install ok installed$' "$work/out-k/root/var/lib/dpkg/status"; then
	ok "dpkg status stub lists the packages"
else
	nok "dpkg status stub lists the packages"
fi
if [ "$(id -u)" = 0 ] && chroot "$work/out-k/root" /sbin/mke2fs -V >/dev/null 2>&1; then
	ok "the dynamic mke2fs runs in the built root (chroot)"
elif [ "$(id -u)" != 0 ]; then
	skip "mke2fs runs in the root" "chroot needs root"
else
	nok "the dynamic mke2fs runs in the built root (chroot)"
fi

# The closure puts back a library whose slice is gone, and says why.
sed 's|^      libs: \[/usr/lib/x86_64-linux-gnu/libext2fs.so.2\*, /usr/lib/x86_64-linux-gnu/libe2p.so.2\*\]$|      none: []|' \
	"$work/a/recipes/test.yaml" >"$work/a/recipes/noslice.yaml"
sed 's/^recipe test$/recipe test/' "$work/a/recipes/test.yaml.lock" >"$work/a/recipes/noslice.yaml.lock"
if cmp -s "$work/a/recipes/test.yaml" "$work/a/recipes/noslice.yaml"; then
	nok "closure: could not remove the libext2fs2t64 slice (test setup)"
elif build "$work/a" recipes/noslice.yaml "$work/out-c" 022 --quiet --explain >"$work/c.explain" 2>"$work/c.err"; then
	if grep -qP '^/usr/lib/x86_64-linux-gnu/libext2fs.so.2\tlibext2fs2t64\tclosure: needed by /usr/sbin/mke2fs \(libext2fs.so.2\)$' "$work/c.explain" &&
		grep -qP '^/usr/lib/x86_64-linux-gnu/libext2fs.so.2\tlibext2fs2t64\tslice libext2fs2t64_libs$' "$work/out-a/explain.txt"; then
		ok "closure adds libext2fs.so.2 back: 'needed by /sbin/mke2fs'"
	else
		nok "closure adds libext2fs.so.2 back and says why"
		grep libext2fs "$work/c.explain" | sed 's/^/#   /'
	fi
	if cmp -s "$work/out-a/test.erofs" "$work/out-c/test.erofs"; then
		ok "closure: the image is the same with or without the slice"
	else
		nok "closure: the image is the same with or without the slice"
	fi
else
	nok "build without the libext2fs2t64 slice"
	sed 's/^/#   /' "$work/c.err"
fi

# The Kata guest recipe, the same way (its own fresh lock).
mkdir -p "$work/ka/recipes" "$work/kb/x/recipes"
cp recipes/kata-guest.yaml "$work/ka/recipes/"
python3 "$work/reorder.py" "$ROOT/recipes/kata-guest.yaml" "$work/kb/x/recipes/kata-guest.yaml"
if "$CCIMAGE" lock "$work/ka/recipes/kata-guest.yaml" --quiet 2>"$work/klock.err" &&
	cp "$work/ka/recipes/kata-guest.yaml.lock" "$work/kb/x/recipes/" &&
	build "$work/ka" recipes/kata-guest.yaml "$work/kout-a" 022 --quiet >/dev/null 2>"$work/ka.err" &&
	build "$work/kb/x" recipes/kata-guest.yaml "$work/kout-b" 077 --quiet >/dev/null 2>"$work/kb.err"; then
	same=1
	for f in kata-guest.erofs kata-guest.verity kata-guest.img initramfs.cpio kata-guest.spdx.json; do
		cmp -s "$work/kout-a/$f" "$work/kout-b/$f" || { same=0; echo "# differs: $f"; }
	done
	if [ $same = 1 ]; then
		ok "kata-guest: two builds from one lock give identical image, tree, disk, initramfs, SBOM"
	else
		nok "kata-guest: two builds from one lock give identical bytes"
	fi
else
	nok "kata-guest builds"
	cat "$work/klock.err" "$work/ka.err" "$work/kb.err" 2>/dev/null | sed 's/^/#   /'
fi

# A cache with no .debs yet: every pin is downloaded in one go and put in the
# cache, as on a user's first build (a fetch that kept only the first of a
# batch once passed every warm run).
# The SNP firmware is the one `ccimage firmware build` keeps in the usual cache
# (given as a path): building it again would only repeat minutes of edk2.
pins=$(grep -c '^package ' "$ROOT/recipes/kata-guest.yaml.lock")
mkdir -p "$work/coldcache" "$work/cold/recipes"
fw=$("$CCIMAGE" firmware build --cached-only --quiet 2>/dev/null)
sed "s|^  snp-firmware: build$|  snp-firmware: ${fw:-build}|" recipes/kata-guest.yaml \
	>"$work/cold/recipes/kata-guest.yaml"
cp recipes/kata-guest.yaml.lock "$work/cold/recipes/"
if (cd "$work/cold" && CCINIT_CACHE=$work/coldcache "$CCIMAGE" build recipes/kata-guest.yaml \
	--out "$work/kout-cold" "${sets[@]}" --quiet >/dev/null 2>"$work/kcold.err") &&
	[ "$(ls "$work/coldcache/debs"/*.deb | wc -l)" = "$pins" ]; then
	ok "kata-guest from an empty cache: all $pins pinned .debs downloaded and cached"
else
	nok "kata-guest from an empty cache downloads every pin"
	sed 's/^/#   /' "$work/kcold.err"
fi

# Refusals.
expect_fail() { # NAME PATTERN RECIPE [args]
	local name=$1 pattern=$2 recipe=$3
	shift 3
	if "$CCIMAGE" build "$recipe" --out "$work/out-f" "${sets[@]}" --quiet "$@" >/dev/null 2>"$work/f.err"; then
		nok "$name: the build did not fail"
	elif grep -q -- "$pattern" "$work/f.err"; then
		ok "$name"
	else
		nok "$name: no '$pattern' in the error"
		sed 's/^/#   /' "$work/f.err"
	fi
}
lock=$work/a/recipes/test.yaml.lock
awk '$1=="package" && $2=="libuuid1" {$5="0000000000000000000000000000000000000000000000000000000000000000"} {print}' "$lock" >"$work/badsha.lock"
expect_fail "refuses a .deb whose sha256 is not the lock's" "libuuid1 .*the lock says 0000" \
	"$work/a/recipes/test.yaml" --lock "$work/badsha.lock"
awk '$1=="package" && $2=="libuuid1" {$6=$6+1} {print}' "$lock" >"$work/badsize.lock"
expect_fail "refuses a lock whose size is not its .deb's" "the lock pins libuuid1 .* bytes, but its .deb (sha256 .*) has" \
	"$work/a/recipes/test.yaml" --lock "$work/badsize.lock"
awk '$1=="package" && $2=="libuuid1" {$3="2.0-not-in-archive"} {print}' "$lock" >"$work/gone.lock"
expect_fail "refuses a pinned version the archive lacks" "pinned libuuid1 2.0-not-in-archive is not available" \
	"$work/a/recipes/test.yaml" --lock "$work/gone.lock"
grep -v '^package libuuid1 ' "$lock" >"$work/short.lock"
expect_fail "refuses a lock that lacks a recipe package" "package libuuid1 is not in the lock" \
	"$work/a/recipes/test.yaml" --lock "$work/short.lock"
sed 's/^  compress: /  compres: /' "$work/a/recipes/test.yaml" >"$work/a/recipes/typo.yaml"
line=$(grep -n '^  compres:' "$work/a/recipes/typo.yaml" | cut -d: -f1)
expect_fail "a recipe error names its line" "typo.yaml:$line:3: unknown key 'compres'" "$work/a/recipes/typo.yaml"
finish
