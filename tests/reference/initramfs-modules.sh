#!/bin/bash
# Reference test: `ccimage initramfs` on Debian 13's cloud kernel, whose
# modules are .ko.xz (modules/README.md, 4). By default the initramfs holds
# them unpacked: no .ko.xz or .ko.zst left, the same modules by name as with
# --modules-compressed (which keeps the shipped files), each .ko byte for byte
# what `xz -dc` makes of the shipped file (so the appended signature is still
# there), depmod's index naming the .ko files, and the same bytes from two
# runs. The GPU profile's crypto (gpu-crypto) resolves to the modules trixie
# builds and skips what it builds in. The kernel comes from tests/vm/kernel.sh trixie (the VM harness's
# cache, fetched when missing).
TAP_PREFIX="initramfs modules: "
. "$(dirname "$0")/../lib/tap.sh"

need "$CCIMAGE" build/ccinit
workdir
if ! kdir=$(tests/vm/kernel.sh trixie 2>"$work/kernel.log" | tail -n1) || [ ! -d "$kdir/root" ]; then
	nok "trixie's kernel (tests/vm/kernel.sh trixie)"
	sed 's/^/#   /' "$work/kernel.log"
	finish
fi
kver=$(cat "$kdir/kver")
kroot=$kdir/root

build() { # OUT [--modules-compressed]
	"$CCIMAGE" initramfs -o "$work/$1" --init build/ccinit --kernel-root "$kroot" --kver "$kver" \
		--profile storage --mtime 1 "${@:2}" 2>>"$work/ccimage.log"
}
names() { cpio -it --quiet <"$work/$1" | grep -E '\.ko(\.xz|\.zst)?$' | sed -E 's/\.ko(\.xz|\.zst)?$//' | sort; }

if ! build plain.cpio || ! build again.cpio || ! build shipped.cpio --modules-compressed; then
	nok "ccimage initramfs on $kver"
	sed 's/^/#   /' "$work/ccimage.log"
	finish
fi
ok "ccimage initramfs on $kver, unpacked and as shipped"
check "the kernel package ships .ko.xz (else this test shows nothing)" \
	'cpio -it --quiet <"$work/shipped.cpio" | grep -q "\.ko\.xz$"'
check "unpacked: no .ko.xz or .ko.zst in the initramfs" \
	'! cpio -it --quiet <"$work/plain.cpio" | grep -qE "\.ko\.(xz|zst)$"'
names plain.cpio >"$work/plain.names"
names shipped.cpio >"$work/shipped.names"
check "the same $(wc -l <"$work/shipped.names") modules by name as the shipped files" \
	'[ -s "$work/plain.names" ] && cmp -s "$work/plain.names" "$work/shipped.names"'
check "two runs, same bytes" 'cmp -s "$work/plain.cpio" "$work/again.cpio"'

mkdir "$work/x"
(cd "$work/x" && cpio -id --quiet <"$work/plain.cpio")
moddir=$work/x/lib/modules/$kver
check "modules.dep names the unpacked .ko files" \
	'[ -z "$(grep -oE "[^ :]+\.ko[^ :]*" "$moddir/modules.dep" | grep -v "\.ko$")" ] &&
	 grep -q "^kernel/drivers/md/dm-verity.ko:" "$moddir/modules.dep"'
same=0 differ=""
while read -r rel; do
	shipped=$(ls "$kroot"/{,usr/}lib/modules/"$kver/$rel".xz 2>/dev/null | head -n1)
	if [ -n "$shipped" ] && xz -dc "$shipped" | cmp -s - "$moddir/$rel"; then
		same=$((same + 1))
	else
		differ="$differ $rel"
	fi
done < <(cd "$moddir" && find . -name '*.ko' | sed 's|^\./||' | sort)
check "each .ko is what xz -dc makes of the shipped file ($same files)" \
	'[ -z "$differ" ] && [ "$same" -eq "$(wc -l <"$work/plain.names")" ]' ||
	echo "#   differ:$differ"
check "signatures kept: dm-verity.ko ends with the signature marker" \
	'tail -c 28 "$moddir/kernel/drivers/md/dm-verity.ko" | grep -q "~Module signature appended~"'

# The GPU profile's kernel crypto (modules/profiles.c, gpu-crypto: gpu without the driver,
# which this kernel package lacks): trixie builds gcm, ghash and ecdh as modules, so an
# image carries them and what they need (gf128mul, crypto_null); ctr it builds in.
"$CCIMAGE" initramfs -o "$work/gpu.cpio" --kernel-root "$kroot" --kver "$kver" \
	--profile gpu-crypto --mtime 1 2>>"$work/ccimage.log"
check "the gpu-crypto profile resolves on $kver" '[ $? -eq 0 ]'
names gpu.cpio >"$work/gpu.names"
for m in crypto/gcm crypto/ghash-generic crypto/ecdh_generic crypto/gf128mul crypto/crypto_null; do
	check "gpu-crypto carries ${m#*/}" 'grep -q "/$m$" "$work/gpu.names"'
done
check "gpu-crypto carries no ctr (built in: modules.builtin)" \
	'! grep -q "/ctr$" "$work/gpu.names" && grep -q "/crypto/ctr\.ko$" "$kroot"/{,usr/}lib/modules/"$kver"/modules.builtin 2>/dev/null'
echo "# initramfs bytes: unpacked $(stat -c %s "$work/plain.cpio"), as shipped $(stat -c %s "$work/shipped.cpio")"
finish
