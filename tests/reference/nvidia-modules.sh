#!/bin/bash
# Reference test for `ccimage modules build`: NVIDIA's open kernel modules
# built from Debian's source against the headers of the VM tests' kernel
# (tests/vm/kernel.sh trixie, Debian 13's cloud kernel) inside a trixie build
# root, checked with kmod's own tools, not ours: modinfo's vermagic equals that of the kernel package's in-tree
# modules, the dependencies are what the driver's Kbuild declares, and depmod
# finds every symbol the modules import in the kernel's System.map.
#
# A cold build takes about 9 minutes on two cores (the build root's packages,
# then the driver); the result is cached by its inputs (source, headers, the
# build root, its compiler), so the next run takes it from there.
. "$(dirname "$0")/../lib/tap.sh"

need "$CCIMAGE"
for tool in modinfo depmod; do
	command -v $tool >/dev/null || PATH=$PATH:/sbin:/usr/sbin
done
workdir

# Trixie's kernel, built with gcc 14: the build root brings that compiler
# whatever the host has (modules/README.md, 5).
kdir=$(tests/vm/kernel.sh trixie 2>"$work/kernel.log" | tail -1)
if [ ! -f "$kdir/kver" ]; then
	nok "nvidia modules: no Debian cloud kernel (tests/vm/kernel.sh failed: $(tail -1 "$work/kernel.log"))"
	finish
fi
kver=$(cat "$kdir/kver")
kroot=$kdir/root

# Bad input is refused before anything is fetched or built.
"$CCIMAGE" modules build --suite trixie --kver "$kver" --module 'nvidia;rm' --quiet >/dev/null 2>"$work/bad.err"
check "a bad module name is a data error (exit 3)" '[ $? -eq 3 ] && grep -q "bad module name" "$work/bad.err"'

start=$(date +%s)
dir=$("$CCIMAGE" modules build --suite trixie --kernel-root "$kroot" 2>"$work/build.err")
rc=$?
check "modules build for $kver ($(($(date +%s) - start)) s)" '[ $rc -eq 0 ] && [ -d "$dir" ]' ||
	sed 's/^/#   /' "$work/build.err"
[ $rc -eq 0 ] || finish

for m in nvidia nvidia-uvm; do
	check "$m.ko built" '[ -f "$dir/$m.ko" ]'
done

# The kernel's own modules say what a module for this kernel must carry.
ref=$(find "$kroot/lib/modules/$kver/kernel" -name '*.ko*' | head -1)
want=$(modinfo -F vermagic "$ref")
for m in nvidia nvidia-uvm; do
	got=$(modinfo -F vermagic "$dir/$m.ko" 2>/dev/null)
	check "$m.ko vermagic '$got' equals the kernel's" '[ -n "$got" ] && [ "$got" = "$want" ]'
done
check "nvidia.ko depends on no other module" '[ -z "$(modinfo -F depends "$dir/nvidia.ko")" ]'
check "nvidia-uvm.ko depends on nvidia only" '[ "$(modinfo -F depends "$dir/nvidia-uvm.ko")" = nvidia ]'

# The module's version is the one whose GSP firmware the image must carry.
srcver=$(awk '$1 == "source" {print $3}' "$dir/key.txt")
modver=$(modinfo -F version "$dir/nvidia.ko")
check "nvidia.ko version $modver matches the source package $srcver" \
	'[ -n "$modver" ] && [ "${srcver%%-*}" = "$modver" ]'
check "nvidia.ko asks for nvidia/$modver/gsp_ga10x.bin" \
	'modinfo -F firmware "$dir/nvidia.ko" | grep -qx "nvidia/$modver/gsp_ga10x.bin"'
check "debug info stripped (nvidia.ko under 100 MB)" \
	'[ "$(stat -c %s "$dir/nvidia.ko")" -lt 100000000 ]'

# Every imported symbol exists, with the same CRC, among the kernel's exports
# (Module.symvers from the headers package; Debian's System.map is a stub) or
# the other modules of the tree: kmod's depmod says so, not our code.
cache=${CCINIT_CACHE:-/var/cache/ccinit}
hdeb=$(ls "$cache"/debs/linux-headers-"$kver"_*.deb 2>/dev/null | tail -1)
mkdir -p "$work/tree"
cp -al "$kroot/." "$work/tree/" 2>/dev/null || cp -a "$kroot/." "$work/tree/"
mkdir -p "$work/tree/lib/modules/$kver/updates/dkms"
rm -f "$work/tree/lib/modules/$kver"/modules.*.bin "$work/tree/lib/modules/$kver/modules.dep"
cp "$dir"/*.ko "$work/tree/lib/modules/$kver/updates/dkms/"
if [ -n "$hdeb" ] && dpkg-deb --fsys-tarfile "$hdeb" |
	tar -xO "./usr/src/linux-headers-$kver/Module.symvers" >"$work/Module.symvers" 2>/dev/null; then
	depmod -b "$work/tree" -e -E "$work/Module.symvers" "$kver" >"$work/depmod.out" 2>&1
	check "depmod -e -E: every symbol the modules import is exported, same CRC" \
		'[ $? -eq 0 ] && ! grep -qE "nvidia.*(unknown symbol|disagrees)" "$work/depmod.out"' ||
		sed 's/^/#   /' "$work/depmod.out" | head -5
else
	# The module build fetched the headers into this cache: their absence is a fault.
	nok "depmod -e -E: no Module.symvers from a linux-headers-$kver .deb in $cache/debs"
	depmod -b "$work/tree" "$kver"
fi
check "modules.dep: nvidia-uvm after nvidia" \
	'grep -q "^updates/dkms/nvidia-uvm.ko: updates/dkms/nvidia.ko$" "$work/tree/lib/modules/$kver/modules.dep"'

# The compiler is the build root's, and it is the one that built the kernel:
# the key's cc line is its --version, the kernel's config has the same text.
kcc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$kroot/boot/config-$kver")
keycc=$(sed -n 's/^cc //p' "$dir/key.txt")
check "the key's compiler '$keycc' is the kernel's" '[ -n "$kcc" ] && [ "$keycc" = "$kcc" ]'
check "the key names the build root's packages" \
	'grep -q "^buildroot sha256:[0-9a-f]\{64\} [0-9]* packages$" "$dir/key.txt" && grep -q "^make " "$dir/buildroot-packages.txt"'
cc_pkg=$(awk '$1 ~ /^gcc-[0-9]+$/ {print $1}' "$dir/buildroot-packages.txt")
check "the build root holds the compiler package the headers name ($cc_pkg)" '[ -n "$cc_pkg" ]'

# The second run is a cache hit: same directory, nothing rebuilt.
again=$("$CCIMAGE" modules build --suite trixie --kernel-root "$kroot" --cached-only 2>"$work/again.err")
check "second run is a cache hit in the same directory" \
	'[ $? -eq 0 ] && [ "$again" = "$dir" ] && grep -q "cached in" "$work/again.err"'
# Another compiler (the same gcc by another name, so another --version line) is
# another key: not served from this entry, and --cached-only says where it would be.
"$CCIMAGE" modules build --suite trixie --kernel-root "$kroot" --cc "gcc-${cc_pkg#gcc-}" \
	--cached-only >/dev/null 2>"$work/other.err"
rc=$?
other=$(sed -n 's/.*not in the cache (\(.*\)).*/\1/p' "$work/other.err")
check "another compiler is another cache key" '[ $rc -eq 1 ] && [ -n "$other" ] && [ "$other" != "$dir" ]' ||
	sed 's/^/#   /' "$work/other.err"
# A suite that does not have the kernel's headers is a data error naming the package.
"$CCIMAGE" modules build --suite bookworm --kernel-root "$kroot" --cached-only --quiet \
	>/dev/null 2>"$work/suite.err"
check "the wrong suite is a data error naming the headers package" \
	'[ $? -eq 3 ] && grep -q "linux-headers-$kver" "$work/suite.err"' || sed 's/^/#   /' "$work/suite.err"

# --keyring is what apt checks the archives' InRelease with (an archive of
# another signer, e.g. a 570+ driver for Blackwell). Bullseye's key signs none
# of trixie's archives: apt refuses them, and nothing is built or served.
"$CCIMAGE" modules build --suite trixie --kernel-root "$kroot" --cached-only --quiet \
	--keyring /usr/share/keyrings/debian-archive-bullseye-stable.gpg >/dev/null 2>"$work/keyring.err"
check "--keyring of another signer: apt refuses the archives, and quiet still says why" \
	'[ $? -eq 4 ] && grep -q "archives failed: The repository .* is not signed" "$work/keyring.err"' ||
	sed 's/^/#   /' "$work/keyring.err"
"$CCIMAGE" modules build --suite trixie --kernel-root "$kroot" --keyring "$work/none.gpg" \
	>/dev/null 2>"$work/nokeyring.err"
check "--keyring naming no file is bad input (exit 3) naming the option" \
	'[ $? -eq 3 ] && grep -q "^ccimage modules build: --keyring .*No such file" "$work/nokeyring.err"' ||
	sed 's/^/#   /' "$work/nokeyring.err"

# The tree for a recipe's kernel.root: kernel hard-linked, modules added, depmod run.
"$CCIMAGE" modules build --suite trixie --kernel-root "$kroot" --kernel-tree "$work/ktree" --cached-only \
	--quiet >/dev/null 2>"$work/tree.err"
check "--kernel-tree: modules.dep names the nvidia modules" \
	'[ $? -eq 0 ] && grep -q "^updates/dkms/nvidia.ko:" "$work/ktree/lib/modules/$kver/modules.dep"' ||
	sed 's/^/#   /' "$work/tree.err"
check "--kernel-tree: the kernel package's tree is left as it was" \
	'[ ! -e "$kroot/lib/modules/$kver/updates" ] && ! grep -q nvidia "$kroot/lib/modules/$kver/modules.dep"'
finish
