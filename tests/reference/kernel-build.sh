#!/bin/bash
# Reference test: the guest kernel `ccimage kernel build` made (from the cache:
# `make check` builds it in the background, and --cached-only waits on the
# build's lock; kernel-configs/README.md, "The kernel build"), held to what the issue asks of it with tools that are not
# ccimage's: the kernel's own Kconfig output read with grep, its bzImage
# header, openssl on the module certificate, kmod's modules.builtin. The
# boots are tests/vm/kernel_built.py's.
TAP_PREFIX="kernel build: "
. "$(dirname "$0")/../lib/tap.sh"

workdir

root=$("$CCIMAGE" kernel build --cached-only --quiet 2>"$work/err")
rc=$?
check "the cache has the build (make kernel): exit $rc, $(head -c 300 "$work/err")" \
	'[ $rc -eq 0 ] && [ -d "$root/boot" ]'
if [ $rc -ne 0 ]; then
	# make check built it in the background: say why that build did not finish.
	[ -f build/kernel-build.log ] && tail -n 5 build/kernel-build.log | sed 's/^/# /'
	finish
fi
dir=$(dirname "$root")
vmlinuz=$(ls "$root"/boot/vmlinuz-* 2>/dev/null | head -1)
kver=${vmlinuz##*/vmlinuz-}
config=$root/boot/config-$kver
echo "# $dir: $kver, vmlinuz $(stat -c %s "$vmlinuz") bytes"

check "the release names our build ($kver ends in -ccinit)" '[[ "$kver" == *-ccinit ]]'
# The x86 boot protocol: "HdrS" at 0x202 of a bzImage.
check "vmlinuz is a bzImage (HdrS at 0x202)" \
	'[ "$(dd if="$vmlinuz" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ]'
"$CCIMAGE" kconfig check --strict "$config" >"$work/strict" 2>&1
check "its config meets every fragment, warnings too (kconfig check --strict)" \
	'[ $? -eq 0 ] && grep -q ": 0 errors, 0 warnings, " "$work/strict"'
for want in CONFIG_DM_INIT=y CONFIG_BLK_DEV_DM=y CONFIG_DM_VERITY=y CONFIG_EROFS_FS=y \
	CONFIG_VIRTIO_BLK=y CONFIG_INTEL_TDX_GUEST=y CONFIG_AMD_MEM_ENCRYPT=y CONFIG_MODULE_SIG_FORCE=y \
	CONFIG_MODULE_SIG_ALL=y CONFIG_LOCK_DOWN_KERNEL_FORCE_INTEGRITY=y \
	'# CONFIG_KEXEC is not set' '# CONFIG_DEVMEM is not set' CONFIG_RANDSTRUCT_NONE=y; do
	check "config: $want" 'grep -qxF "$want" "$config"'
done
check "config: no GCC plugins (nothing seeded at random)" '! grep -q "^CONFIG_GCC_PLUGINS=y" "$config"'

# ccinit's storage profile needs no module file: each one is built in.
for m in virtio_pci virtio_blk dm_mod dm_verity dm_crypt dm_integrity erofs overlay ext4 af_alg \
	algif_hash algif_skcipher; do
	# modules.builtin names files: dm-mod.ko for the module dm_mod.
	check "$m is built in (modules.builtin)" \
		'grep -q "/${m//_/[-_]}\.ko$" "$root/lib/modules/$kver/modules.builtin"'
done
"$CCIMAGE" initramfs -o "$work/i.cpio" --init build/ccinit --kernel-root "$root" --kver "$kver" \
	--profile storage >"$work/ir" 2>&1
check "ccimage initramfs resolves the storage profile against it" '[ $? -eq 0 ]'

# NVIDIA's modules, built against it in the same run and signed with its key:
# modinfo (kmod's, not ours) reads their vermagic and signer; the signature is
# the one sign-file appends (its magic string ends the file).
for m in nvidia nvidia-uvm; do
	ko=$root/lib/modules/$kver/updates/dkms/$m.ko
	check "$m.ko is installed under updates/dkms" '[ -s "$ko" ]'
	check "$m.ko: vermagic is $kver (modinfo)" \
		'modinfo -F vermagic "$ko" 2>/dev/null | grep -q "^$kver "'
	check "$m.ko is signed (sign-file's trailer), sha512, by the build's key (modinfo)" \
		'[ "$(tail -c 28 "$ko")" = "~Module signature appended~" ] &&
		 [ "$(modinfo -F sig_hashalgo "$ko")" = sha512 ] &&
		 [ -n "$(modinfo -F signer "$ko")" ]'
	check "key.txt records $m.ko by its sha256" \
		'grep -qx "output root/lib/modules/$kver/updates/dkms/$m.ko sha256:$(sha256sum "$ko" | cut -d" " -f1)" "$dir/key.txt"'
done
check "depmod resolves nvidia-uvm to the built modules (modules.dep)" \
	'grep -q "^updates/dkms/nvidia-uvm.ko: updates/dkms/nvidia.ko" "$root/lib/modules/$kver/modules.dep"'
# The gpu profile: the kernel crypto NVIDIA's SPDM session finds by name is built in
# (gpu.conf), which libkmod reports as loaded, so the profile resolves to the driver alone.
for m in ctr gcm ghash_generic ecdh_generic; do
	check "$m is built in (modules.builtin)" \
		'grep -q "/${m//_/[-_]}\.ko$" "$root/lib/modules/$kver/modules.builtin"'
done
"$CCIMAGE" initramfs -o "$work/g.cpio" --kernel-root "$root" --kver "$kver" --profile gpu \
	>"$work/gr" 2>&1
check "ccimage initramfs resolves the gpu profile against it, staging only the driver" \
	'[ $? -eq 0 ] && [ "$(cpio -it --quiet <"$work/g.cpio" | grep -E "\.ko$" | sed "s|.*/||" | sort | tr "\n" " ")" = "nvidia-uvm.ko nvidia.ko " ]'
check "key.txt names nvidia-open-kernel-source with its sha256" \
	'grep -Eq "^nvidia nvidia-open-kernel-source [^ ]+ sha256:[0-9a-f]{64} compat [0-9]+ modules nvidia nvidia-uvm$" "$dir/key.txt"'
# sign-file names the signer by issuer and serial number (no -k), which is what
# modinfo calls sig_key; leading zero bytes aside (DER keeps one for the sign).
serial=$(openssl x509 -inform DER -in "$dir/signing_key.x509" -noout -serial 2>/dev/null |
	sed 's/^serial=//; s/^0*//')
sig_key=$(modinfo -F sig_key "$root/lib/modules/$kver/updates/dkms/nvidia.ko" | tr -d ':' | sed 's/^0*//')
check "the modules' signer is the kept certificate (sig_key = its serial)" \
	'[ -n "$serial" ] && [ "$sig_key" = "$serial" ]'

# The key: the certificate the kernel trusts is kept, the private key is not.
check "the module certificate is kept and is X.509 (openssl reads it)" \
	'openssl x509 -inform DER -in "$dir/signing_key.x509" -noout -subject >"$work/subj" 2>&1'
check "no private key anywhere in the cached build" \
	'! grep -rlq "PRIVATE KEY" "$dir" && [ -z "$(find "$dir" -name "*.pem")" ]'

# key.txt names every input: the source package and each fragment, by hash.
check "key.txt names linux-source-X.Y with its sha256" \
	'grep -Eq "^source linux-source-[0-9]+\.[0-9]+ [^ ]+ sha256:[0-9a-f]{64}$" "$dir/key.txt"'
for f in kernel-configs/*.conf; do
	check "key.txt names ${f##*/} by its sha256" \
		'grep -qx "fragment ${f##*/} sha256:$(sha256sum "$f" | cut -d" " -f1)" "$dir/key.txt"'
done
check "key.txt records the vmlinuz it kept" \
	'grep -qx "output root/boot/vmlinuz-$kver sha256:$(sha256sum "$vmlinuz" | cut -d" " -f1)" "$dir/key.txt"'

# Another fragment set is another key: not in the cache, so --cached-only says so (exit 1).
cp -r kernel-configs "$work/frags"
echo '# why: a changed input
CONFIG_TEST_KEY_CHANGES=y' >>"$work/frags/guest.conf"
"$CCIMAGE" kernel build --cached-only --quiet --dir "$work/frags" >/dev/null 2>"$work/err"
check "a changed fragment is another key: --cached-only exits 1 'not in the cache'" \
	'[ $? -eq 1 ] && grep -q "not in the cache" "$work/err"'

# Without NVIDIA's modules it is another build.
"$CCIMAGE" kernel build --cached-only --quiet --no-nvidia >/dev/null 2>"$work/err"
check "--no-nvidia is another key: --cached-only exits 1 'not in the cache'" \
	'[ $? -eq 1 ] && grep -q "not in the cache" "$work/err"'
"$CCIMAGE" kernel build --cached-only --quiet --nvidia-version 0.0-none >/dev/null 2>"$work/err"
check "an NVIDIA source version the archive lacks: exit 3 naming it" \
	'[ $? -eq 3 ] && grep -q "nvidia-open-kernel-source=0.0-none: not in the suite" "$work/err"'

# Usage errors (2) and bad option values (3) come before any work, naming the option.
"$CCIMAGE" kernel build --no-nvidia --nvidia-version 1 2>"$work/err"
check "--no-nvidia with --nvidia-version: exit 2" '[ $? -eq 2 ] && grep -q "no-nvidia" "$work/err"'
"$CCIMAGE" kernel build --signing-key "$work/none.pem" 2>"$work/err"
check "--signing-key of a missing file: exit 3 (bad input) naming it" \
	'[ $? -eq 3 ] && grep -q "signing-key $work/none.pem" "$work/err"'
touch "$work/exists.pem"
"$CCIMAGE" kernel build --keep-key "$work/exists.pem" 2>"$work/err"
check "--keep-key onto an existing file: exit 3 (bad input), never overwritten" \
	'[ $? -eq 3 ] && grep -q "exists" "$work/err" && [ ! -s "$work/exists.pem" ]'
"$CCIMAGE" kernel build --keep-key "$work/k.pem" --signing-key "$work/exists.pem" 2>"$work/err"
check "--keep-key with --signing-key: exit 2" '[ $? -eq 2 ]'
finish
