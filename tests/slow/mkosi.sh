#!/bin/bash
# Slow test (`make check-slow`): mkosi interop. Debian bookworm's mkosi 14
# builds recipes/mkosi twice (Format=directory, as root, network needed,
# about 50 s each); `ccimage mkosi tree` takes each output in; `ccimage image`
# makes erofs + dm-verity + the Kata disk from each, in different directories
# and umasks. mkosi 14 itself is not reproducible (no SourceDateEpoch=, no
# Seed=: logs, caches, the build day in /etc/shadow, all times differ), so
# identical image bytes here are ccimage's doing. The image must also pass
# veritysetup's verify and boot under ccinit in QEMU (tests/slow/mkosi_boot.py),
# and the import must refuse what a root must not hold.
. "$(dirname "$0")/../lib/tap.sh"
cache=${CCINIT_CACHE:-/var/cache/ccinit}/mkosi

need "$CCIMAGE"
if [ "$(id -u)" -ne 0 ]; then
	skip_all "mkosi" "mkosi 14 needs root (CAP_SYS_ADMIN)"
fi
if ! command -v mkosi >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mkosi >/dev/null 2>&1
fi
if ! command -v mkosi >/dev/null; then
	nok "mkosi installed (apt-get install mkosi failed)"
	finish
fi
workdir

# The import refuses a FIFO (and device nodes outside /dev, sockets).
mkdir -p "$work/bad/etc" && mkfifo "$work/bad/etc/pipe"
"$CCIMAGE" mkosi tree "$work/bad" --out "$work/bad-out" --quiet 2>"$work/bad.err"
check "a FIFO in the tree is refused, naming it (exit 3)" \
	'[ $? -eq 3 ] && grep -q "/etc/pipe" "$work/bad.err"'

mkdir -p "$cache"
for i in 1 2; do
	start=$(date +%s)
	mkosi -C recipes/mkosi --output-dir "$cache/out$i" --force build >"$work/mkosi$i.log" 2>&1
	rc=$?
	check "mkosi 14 build $i ($(($(date +%s) - start)) s)" '[ $rc -eq 0 ]' ||
		tail -5 "$work/mkosi$i.log" | sed 's/^/#   /'
	"$CCIMAGE" mkosi tree "$cache/out$i/debian~bookworm/root" --out "$work/tree$i" \
		2>"$work/tree$i.log"
	check "ccimage mkosi tree $i: $(sed 's/^ccimage: mkosi tree: //' "$work/tree$i.log")" '[ $? -eq 0 ]'
done
[ $failed -eq 0 ] || finish

# mkosi's two outputs differ; the imported trees must not (times aside).
if diff -r --no-dereference "$cache/out1/debian~bookworm/root" "$cache/out2/debian~bookworm/root" \
	>/dev/null 2>&1; then
	echo "# note: the two mkosi outputs have identical contents this time"
fi
diff -r --no-dereference "$work/tree1" "$work/tree2" >"$work/tree.diff" 2>&1
check "imported trees have identical contents" '[ $? -eq 0 ]' || head -5 "$work/tree.diff" | sed 's/^/#   /'
check "no logs, apt lists or /dev nodes in the tree" \
	'[ -z "$(find "$work/tree1/var/log" "$work/tree1/dev" "$work/tree1/var/lib/apt/lists" -mindepth 1 2>/dev/null)" ]'
check "/etc/shadow carries no build day" '! grep -qE "^[^:]*:[^:]*:[0-9]+:" "$work/tree1/etc/shadow"'
pkgs=$(grep -c '^Package: ' "$work/tree1/var/lib/dpkg/status" 2>/dev/null)
check "dpkg status kept for scanners ($pkgs packages)" '[ "${pkgs:-0}" -gt 50 ]'

# The test agent stands where kata-agent would be, so the image can be booted.
for i in 1 2; do install -m 0755 build/test-agent "$work/tree$i/usr/bin/kata-agent"; done

# Two image builds in different directories and umasks give the same bytes.
mkdir -p "$work/cwd1" "$work/cwd2"
start=$(date +%s)
(cd "$work/cwd1" && umask 022 && "$CCIMAGE" image --root ../tree1 --out ../img1 --salt-seed mkosi \
	--source-date-epoch 1700000000 >"$work/img1.log" 2>&1)
rc1=$?
secs=$(($(date +%s) - start))
(cd "$work/cwd2" && umask 077 && "$CCIMAGE" image --root "$work/tree2" --out "$work/img2" \
	--salt-seed mkosi --source-date-epoch 1700000000 >"$work/img2.log" 2>&1)
rc2=$?
check "ccimage image on both trees (${secs} s)" '[ $rc1 = 0 ] && [ $rc2 = 0 ]' ||
	tail -3 "$work"/img*.log | sed 's/^/#   /'
for f in root.erofs root.verity root.img verity_params.txt image.json; do
	check "identical $f" 'cmp -s "$work/img1/$f" "$work/img2/$f"'
done
if command -v veritysetup >/dev/null && [ -f "$work/img1/verity_params.txt" ]; then
	line=$(cat "$work/img1/verity_params.txt")
	hash=$(sed 's/.*root_hash=\([0-9a-f]*\).*/\1/' <<<"$line")
	salt=$(sed 's/.*salt=\([0-9a-f]*\).*/\1/' <<<"$line")
	check "veritysetup verify accepts the mkosi image" \
		'veritysetup verify --no-superblock --salt=$salt "$work/img1/root.erofs" "$work/img1/root.verity" $hash >/dev/null 2>&1'
fi
if [ -x build/ccinit ] && [ -x build/test-agent ] && command -v qemu-system-x86_64 >/dev/null; then
	boot=$(python3 tests/slow/mkosi_boot.py "$work/img1" $((n + 1)) 2>&1)
	rc=$?
	n=$((n + 1))
	echo "$boot"
	[ $rc -eq 0 ] || failed=$((failed + 1))
else
	skip "boot the mkosi image" "needs build/ccinit, build/test-agent and qemu-system-x86_64"
fi
size=$(stat -c %s "$work/img1/root.erofs" 2>/dev/null)
echo "# mkosi tree $(du -sm "$work/tree1" | cut -f1) MiB -> erofs $((${size:-0} / 1048576)) MiB"
finish
