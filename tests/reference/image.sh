#!/bin/bash
# Reference test for `ccimage image`: the same staged tree, staged twice in
# different directories (different creation order, mtimes and owners), built
# under different umasks and working directories, must give identical bytes in
# every output. The tree must pass veritysetup's verify, both as separate files
# and out of the disk's partitions; the MBR must hold the partitions parted
# makes for Kata's layout; owners become root with setuid bits kept.
. "$(dirname "$0")/../lib/tap.sh"

if ! command -v mkfs.erofs >/dev/null; then
	skip_all "ccimage image" "mkfs.erofs not installed (apt-get install erofs-utils)"
fi
need "$CCIMAGE"
at_exit='umount "$work/mnt" 2>/dev/null; [ -n "${KEEP_WORK:-}" ] || rm -rf ${shm:+"$shm"}'
workdir

# A deterministic byte stream of N bytes (no /dev/urandom: both trees need the same content).
bytes() {
	python3 -c 'import hashlib, sys
n = int(sys.argv[1]); out = bytearray(); i = 0
while len(out) < n:
    out += hashlib.sha256(i.to_bytes(8, "little")).digest(); i += 1
sys.stdout.buffer.write(out[:n])' "$1"
}

# stage DIR ORDER: the same tree, entries created in the given order (fwd|rev).
stage() {
	local d=$1 order=$2 dirs=(bin etc usr usr/lib usr/share/doc "var/empty dir")
	mkdir -p "$d"
	[ "$order" = rev ] && dirs=("var/empty dir" usr/share/doc usr/lib usr etc bin)
	for x in "${dirs[@]}"; do mkdir -p "$d/$x"; done
	local files=(etc/hostname usr/lib/libbig.so bin/tool "usr/share/doc/read me")
	[ "$order" = rev ] && files=("usr/share/doc/read me" bin/tool usr/lib/libbig.so etc/hostname)
	for f in "${files[@]}"; do
		case $f in
		etc/hostname) echo guest >"$d/$f" ;;
		usr/lib/libbig.so) bytes 3000000 >"$d/$f" ;;
		bin/tool) bytes 70000 >"$d/$f" ;;
		*) printf 'text\n%.0s' {1..500} >"$d/$f" ;;
		esac
	done
	ln -s tool "$d/bin/tool-link"
	ln "$d/etc/hostname" "$d/etc/hostname.hard"
	find "$d" -type d -exec chmod 0755 {} +
	find "$d" -type f -exec chmod 0644 {} +
	chmod 0755 "$d/bin/tool"
	if [ "$order" = rev ]; then
		# Different owners and times must not matter (mkfs makes everything root's).
		chown -R 1234:5678 "$d" 2>/dev/null
		find "$d" -exec touch -h -d "2011-11-11 11:11:11" {} +
	fi
	chmod 4755 "$d/bin/tool" # after any chown, which clears setuid
}

# The second copy on tmpfs where there is one: its readdir order (newest first)
# differs from the disk file system's, so mkfs.erofs must not depend on it.
shm=$(mktemp -d /dev/shm/ccimage-test.XXXXXX 2>/dev/null) || shm=
b=${shm:-$work}/b
stage "$work/a" fwd
stage "$b" rev
mkdir -p "$work/cwd1" "$work/cwd2"
(cd "$work/cwd1" && umask 022 && "$CCIMAGE" image --root ../a --out ../out1 --salt-seed test-seed \
	--source-date-epoch 1700000000 >"$work/build1.log" 2>&1)
rc1=$?
(cd "$work/cwd2" && umask 077 && SOURCE_DATE_EPOCH=5 LC_ALL=de_DE.UTF-8 "$CCIMAGE" image \
	--root "$b/" --out "$work/out2" --salt-seed test-seed --source-date-epoch 1700000000 \
	--threads 1 >"$work/build2.log" 2>&1)
rc2=$?
check "two builds succeed" '[ $rc1 = 0 ] && [ $rc2 = 0 ]' || cat "$work"/build*.log

outputs=(root.erofs root.verity root.img verity_params.txt dm-mod.txt cmdline.txt image.json)
for f in "${outputs[@]}"; do
	check "identical $f" 'cmp -s "$work/out1/$f" "$work/out2/$f"'
done

o=$work/out1
line=$(cat "$o/verity_params.txt")
root=$(sed 's/.*root_hash=\([0-9a-f]*\).*/\1/' <<<"$line")
salt=$(sed 's/.*salt=\([0-9a-f]*\).*/\1/' <<<"$line")
blocks=$(sed 's/.*data_blocks=\([0-9]*\).*/\1/' <<<"$line")
check "Kata line shape" '[[ $line =~ ^root_hash=[0-9a-f]{64},salt=[0-9a-f]{64},data_blocks=[0-9]+,data_block_size=4096,hash_block_size=4096$ ]]'
check "data_blocks covers the erofs" '[ $((blocks * 4096)) = $(stat -c %s "$o/root.erofs") ]'
check "cmdline names the disk and the line" '[ "$(cat "$o/cmdline.txt")" = "ccinit.root=/dev/vda ccinit.root.verity=$line" ]'
check "dm-mod.create table" 'grep -qF "dm-mod.create=\"dm-verity,,,ro,0 $((blocks * 8)) verity 1 /dev/vda1 /dev/vda2 4096 4096 $blocks 0 sha256 $root $salt\"" "$o/dm-mod.txt"'
if command -v fsck.erofs >/dev/null; then
	check "fsck.erofs accepts the filesystem" 'fsck.erofs "$o/root.erofs" >/dev/null 2>&1'
fi
if command -v veritysetup >/dev/null; then
	check "veritysetup verify accepts root.erofs + root.verity" \
		'veritysetup verify --no-superblock --salt=$salt "$o/root.erofs" "$o/root.verity" $root >/dev/null 2>&1'
	# Out of the disk: p1 and p2 as the guest sees them (offsets from the MBR we wrote).
	p1=$(od -An -tu4 -j 454 -N4 "$o/root.img" | tr -d ' ')
	p2=$(od -An -tu4 -j 470 -N4 "$o/root.img" | tr -d ' ')
	dd if="$o/root.img" of="$work/p1" bs=512 skip="$p1" count=$((blocks * 8)) status=none
	dd if="$o/root.img" of="$work/p2" bs=512 skip="$p2" status=none
	check "veritysetup verify accepts the disk's p1 + p2" \
		'veritysetup verify --no-superblock --salt=$salt --data-blocks=$blocks "$work/p1" "$work/p2" $root >/dev/null 2>&1'
else
	skip "veritysetup verify" "veritysetup not installed (apt-get install cryptsetup-bin)"
fi
check "ccimage verity verify --kata accepts the tree" '"$CCIMAGE" verity verify --kata="$line" "$o/root.erofs" "$o/root.verity" >/dev/null'

# The MBR against parted's for the same sizes (Kata's create_disk): LBAs, types, boot flag.
if command -v parted >/dev/null; then
	size=$(stat -c %s "$o/root.img")
	hs=$(($(od -An -tu4 -j 470 -N4 "$o/root.img" | tr -d ' ') / 2048))
	truncate -s "$size" "$work/parted.img"
	parted -s -a optimal "$work/parted.img" -- mklabel msdos mkpart primary ext4 1M "${hs}M" \
		mkpart primary ext4 "${hs}M" -1s set 1 boot on >/dev/null 2>&1
	mbr_fields() {
		for r in 446:1 450:1 454:8 462:1 466:1 470:8 510:2; do
			od -An -tx1 -j "${r%:*}" -N "${r#*:}" "$1"
		done | tr -d ' \n'
	}
	mine=$(mbr_fields "$o/root.img") theirs=$(mbr_fields "$work/parted.img")
	echo "# MBR fields ours $mine parted $theirs"
	check "partition table matches parted's (start, size, type, boot flag)" '[ "$mine" = "$theirs" ]'
else
	skip "partition table vs parted" "parted not installed (apt-get install parted)"
fi

# Owners and setuid inside the filesystem, where the kernel can show them.
mkdir -p "$work/mnt"
if [ "$(id -u)" = 0 ] && mount -t erofs -o loop,ro "$o/root.erofs" "$work/mnt" 2>/dev/null; then
	check "setuid bit kept, owner root" '[ "$(stat -c %a:%u:%g "$work/mnt/bin/tool")" = 4755:0:0 ]'
	check "every inode's time is the epoch" \
		'[ -z "$(find "$work/mnt" ! -newermt @1699999999 -o -newermt @1700000000)" ]'
	check "content intact" 'cmp -s "$work/mnt/usr/lib/libbig.so" "$work/a/usr/lib/libbig.so"'
	umount "$work/mnt"
else
	skip "setuid bit kept, owner root" "cannot loop-mount erofs here (needs root and the erofs module)"
fi

# The outputs must depend on their inputs (so the identity checks above could fail).
"$CCIMAGE" image --root "$work/a" --out "$work/out3" --salt-seed other-seed \
	--source-date-epoch 1700000000 >/dev/null 2>&1
check "another seed gives another salt and UUID" \
	'! cmp -s "$work/out1/verity_params.txt" "$work/out3/verity_params.txt" && ! cmp -s "$work/out1/root.erofs" "$work/out3/root.erofs"'
echo changed >"$work/a/etc/hostname"
"$CCIMAGE" image --root "$work/a" --out "$work/out4" --salt-seed test-seed \
	--source-date-epoch 1700000000 >/dev/null 2>&1
check "one changed file gives another root hash" \
	'[ "$(sed "s/,salt.*//" "$work/out4/verity_params.txt")" != "root_hash=$root" ]'
"$CCIMAGE" image --root "$work/nonexistent" --out "$work/out5" >/dev/null 2>&1
check "a missing root tree is refused" '[ $? = 3 ]'
"$CCIMAGE" image --root "$work/a" --out "$work/a/usr/out" >/dev/null 2>&1
check "an output directory inside the root tree is refused" '[ $? = 2 ] && [ ! -e "$work/a/usr/out" ]'

finish
