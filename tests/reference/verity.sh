#!/bin/bash
# Reference test: `ccimage verity format` against `veritysetup format` (cryptsetup-bin)
# on generated cases: sizes (one block, counts that are not multiples of the
# digests per block, several levels), block sizes 512..8192, salts (none, short,
# 256 bytes), sha256/sha512/sha1, formats 0 and 1, superblock or not, hash
# offsets, a tree appended to its own data. Hash files must match byte for byte
# and root hashes must agree. Then verify mode: our tree passes veritysetup's
# verify and ours; a flipped byte in the data or in the tree is caught and named.
. "$(dirname "$0")/../lib/tap.sh"

if ! command -v veritysetup >/dev/null; then
	skip_all "veritysetup reference" "veritysetup not installed (apt-get install cryptsetup-bin)"
fi
need "$CCIMAGE"

workdir

salt32=5e9a3c1f0b2d4e6f8a7c9b1d3e5f7a9c2b4d6e8f0a1c3e5b7d9f2a4c6e8b0d1f
salt256=$(head -c 256 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
uuid=12345678-9abc-4def-8123-456789abcdef

root_of() { sed -n 's/^Root hash:[[:space:]]*//p' "$1"; }

# case NAME BYTES [options shared by both tools...]; a "same-file" first option
# puts the tree behind the data in the data file itself; $OURS goes to ccimage only.
case_cmp() {
	local name=$1 bytes=$2
	shift 2
	local same=0
	if [ "${1:-}" = same-file ]; then
		same=1
		shift
	fi
	local d=$work/$name.data vh=$work/$name.vhash oh=$work/$name.ohash
	head -c "$bytes" /dev/urandom >"$d"
	local vd=$d od=$d # the data each tool reads: with same-file, its own copy that gets the tree
	if [ $same = 1 ]; then
		cp "$d" "$vh"
		cp "$d" "$oh"
		vd=$vh od=$oh
	fi
	if ! veritysetup format "$@" "$vd" "$vh" >"$work/$name.vout" 2>&1; then
		nok "$name: veritysetup failed: $(tail -1 "$work/$name.vout")"
		return
	fi
	if ! "$CCIMAGE" verity format ${OURS:-} "$@" "$od" "$oh" >"$work/$name.oout" 2>&1; then
		nok "$name: ccimage failed: $(tail -1 "$work/$name.oout")"
		return
	fi
	local vr or
	vr=$(root_of "$work/$name.vout")
	or=$(root_of "$work/$name.oout")
	if [ -z "$vr" ] || [ "$vr" != "$or" ]; then
		nok "$name: root hash ours '$or' veritysetup '$vr'"
	elif ! cmp -s "$vh" "$oh"; then
		nok "$name: hash files differ ($(cmp "$vh" "$oh" 2>&1 | head -1))"
	else
		ok "$name: $(stat -c %s "$oh") hash bytes and root ${or:0:16}.. identical"
	fi
}

NS=--no-superblock
U=--uuid=$uuid
case_cmp one-block 4096 $NS --salt=$salt32
case_cmp one-block-sb 4096 $U --salt=$salt32
case_cmp two-blocks 8192 $NS --salt=$salt32
case_cmp sha256-4k-129 $((129 * 4096)) $NS --salt=$salt32
case_cmp sha256-4k-16385-3lvl $((16385 * 4096)) $NS --salt=$salt32
case_cmp sha256-4k-odd-size $((1000 * 4096 + 123)) $NS --salt=$salt32
case_cmp data-blocks-subset $((300 * 4096)) $NS --salt=$salt32 --data-blocks=257
case_cmp bs512 $((1000 * 512)) $NS --salt=$salt32 --data-block-size=512 --hash-block-size=512
case_cmp bs1024-sha512 $((777 * 1024)) $NS --salt=$salt32 --hash=sha512 --data-block-size=1024 --hash-block-size=1024
case_cmp bs2048-sha1 $((4097 * 2048)) $NS --salt=$salt32 --hash=sha1 --data-block-size=2048 --hash-block-size=2048
case_cmp d4096-h512 $((333 * 4096)) $NS --salt=$salt32 --hash-block-size=512
case_cmp d512-h4096 $((5000 * 512)) $NS --salt=$salt32 --data-block-size=512
case_cmp h8192 $((3000 * 4096)) $NS --salt=$salt32 --hash-block-size=8192
case_cmp d64k-h512k $((40 * 65536)) $NS --salt=$salt32 --data-block-size=65536 --hash-block-size=524288
case_cmp sha512-512-many-levels $((4099 * 512)) $NS --salt=$salt32 --hash=sha512 --data-block-size=512 --hash-block-size=512
case_cmp salt-empty $((200 * 4096)) $NS --salt=-
case_cmp salt-empty-sb $((200 * 4096)) $U --salt=-
case_cmp salt-1byte $((200 * 4096)) $NS --salt=ab
case_cmp salt-256 $((200 * 4096)) $NS --salt=$salt256
case_cmp salt-256-sb $((200 * 4096)) $U --salt=$salt256
case_cmp sb-sha256 $((1500 * 4096)) $U --salt=$salt32
case_cmp sb-sha1-1024 $((1500 * 1024)) $U --salt=$salt32 --hash=sha1 --data-block-size=1024 --hash-block-size=1024
case_cmp sb-hash-offset $((100 * 4096)) $U --salt=$salt32 --hash-offset=8192
case_cmp sb-hash-offset-512 $((100 * 4096)) $U --salt=$salt32 --hash-offset=512 --hash-block-size=1024
case_cmp nosb-hash-offset $((100 * 4096)) $NS --salt=$salt32 --hash-offset=12288
case_cmp appended-tree $((2049 * 4096)) same-file $NS --salt=$salt32 --hash-offset=$((2049 * 4096))
case_cmp appended-tree-sb $((777 * 4096)) same-file $U --salt=$salt32 --hash-offset=$((777 * 4096))
case_cmp format0-sha256 $((600 * 4096)) $NS --salt=$salt32 --format=0
case_cmp format0-sha1-sb $((600 * 1024)) $U --salt=$salt32 --format=0 --hash=sha1 --data-block-size=1024 --hash-block-size=1024
OURS=--threads=1 case_cmp threads-1 $((3000 * 4096)) $NS --salt=$salt32
OURS=--threads=7 case_cmp threads-7 $((3001 * 4096)) $NS --salt=$salt32
# The AVX-512 lanes wherever the CPU runs them, whichever engine the calibration picks.
CCIMAGE_VERITY_SIMD=1 case_cmp lanes-sha256 $((3001 * 4096)) $NS --salt=$salt32
# The portable path (OpenSSL only), as on CPUs without AVX-512.
CCIMAGE_VERITY_SIMD=0 case_cmp portable-sha256 $((3001 * 4096)) $NS --salt=$salt32
CCIMAGE_VERITY_SIMD=0 case_cmp portable-format0-sb $((999 * 1024)) $U --salt=$salt256 --format=0 --data-block-size=1024

# A few more shapes drawn at random (the seed is printed so a failure can be replayed).
seed=${VERITY_SEED:-$RANDOM}
echo "# random cases seed $seed"
RANDOM=$seed
sizes=(512 1024 2048 4096)
hashes=(sha256 sha512 sha1)
for i in 1 2 3 4; do
	dbs=${sizes[$((RANDOM % 4))]}
	hbs=${sizes[$((RANDOM % 4))]}
	h=${hashes[$((RANDOM % 3))]}
	blocks=$((1 + RANDOM % 5000))
	sb=$NS tag=nosb
	[ $((RANDOM % 2)) = 0 ] && sb=$U tag=sb
	case_cmp "random$i-$h-$dbs-$hbs-$blocks-$tag" $((blocks * dbs + RANDOM % 512)) $sb \
		--salt="${salt256:0:$((2 * (RANDOM % 100)))}" --hash=$h --data-block-size=$dbs --hash-block-size=$hbs
done

# Verify mode on a two-level tree without superblock (Kata's scheme).
d=$work/v.data h=$work/v.hash
head -c $((20000 * 4096)) /dev/urandom >"$d"
"$CCIMAGE" verity format $NS --salt=$salt32 "$d" "$h" >"$work/v.out"
root=$(root_of "$work/v.out")
kata=$(sed -n 's/^Kata parameters:[[:space:]]*//p' "$work/v.out")
if veritysetup verify $NS --salt=$salt32 "$d" "$h" "$root" >/dev/null 2>&1; then
	ok "veritysetup verify accepts our tree"
else
	nok "veritysetup verify rejects our tree"
fi
if "$CCIMAGE" verity verify $NS --salt=$salt32 "$d" "$h" "$root" >/dev/null; then
	ok "ccimage verity verify accepts the tree"
else
	nok "ccimage verity verify rejects a good tree"
fi
if [ -n "$kata" ] && "$CCIMAGE" verity verify --kata="$kata" "$d" "$h" >/dev/null; then
	ok "verify from the Kata line ($kata)"
else
	nok "verify from the Kata line '$kata'"
fi

flip() { # FILE OFFSET: invert one byte in place
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((255 - b)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
expect_fault() { # NAME PATTERN DATA HASH: verify must fail (exit 1) and name the place
	local out rc
	out=$("$CCIMAGE" verity verify $NS --salt=$salt32 "$3" "$4" "$root" 2>&1)
	rc=$?
	if [ $rc -eq 1 ] && grep -q "$2" <<<"$out"; then
		ok "$1: $out"
	else
		nok "$1: exit $rc, output '$out', wanted /$2/"
	fi
}
cp "$d" "$work/bad.data"
flip "$work/bad.data" $((12345 * 4096 + 77))
expect_fault "flipped data byte" "Data block corrupted: block 12345 " "$work/bad.data" "$h"
if veritysetup verify $NS --salt=$salt32 "$work/bad.data" "$h" "$root" >/dev/null 2>&1; then
	nok "veritysetup verify misses the flipped data byte (test broken?)"
else
	ok "veritysetup verify also rejects the flipped data byte"
fi
# Level 0 (last in the file) starts after the top block and the level-1 blocks.
cp "$h" "$work/bad.hash"
flip "$work/bad.hash" $((3 * 4096 + 5 * 4096 + 40))
expect_fault "flipped level-0 hash byte" "Hash block corrupted: level 0 block 5 " "$d" "$work/bad.hash"
cp "$h" "$work/bad.hash"
flip "$work/bad.hash" $((4096 + 100))
expect_fault "flipped level-1 hash byte" "Hash block corrupted: level 1 block 0 " "$d" "$work/bad.hash"
cp "$h" "$work/bad.hash"
flip "$work/bad.hash" 10
expect_fault "flipped top block byte" "Root hash mismatch" "$d" "$work/bad.hash"
cp "$h" "$work/bad.hash"
flip "$work/bad.hash" $(((3 + 156) * 4096 + 4095))
expect_fault "nonzero padding in the last level-0 block" "Hash block corrupted: level 0 block 156 " "$d" "$work/bad.hash"
wrong=${root%?}0
[ "$wrong" != "$root" ] || wrong=${root%?}1
out=$("$CCIMAGE" verity verify $NS --salt=$salt32 "$d" "$h" "$wrong" 2>&1)
if [ $? -eq 1 ]; then ok "wrong root hash refused"; else nok "wrong root hash: $out"; fi

# Verify with a superblock: parameters come from it.
"$CCIMAGE" verity format --salt=$salt32 --hash=sha512 --data-block-size=1024 "$d" "$work/sb.hash" >"$work/sb.out"
sbroot=$(root_of "$work/sb.out")
if "$CCIMAGE" verity verify "$d" "$work/sb.hash" "$sbroot" >/dev/null &&
	veritysetup verify "$d" "$work/sb.hash" "$sbroot" >/dev/null 2>&1; then
	ok "superblock tree (derived UUID) verified by both tools"
else
	nok "superblock tree not verified"
fi

finish
