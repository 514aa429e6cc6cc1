#!/bin/bash
# Builds the static musl libraries ccinit links against, from Debian's own
# source packages (apt-get source applies Debian's patches), into a prefix that
# is cached outside the clone. The cache key covers this script, the exact
# source versions and the compiler, so a rebuild happens only when one of them
# changes.
#
# Usage: build.sh DIR   (DIR becomes a copy of the cached prefix: hard links
# where the cache shares the file system. A symlink into the cache would dangle
# once the cache is cleaned or CCINIT_CACHE names another one, and make would
# not notice, since the objects built from it are up to date.)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
link=${1:?usage: build.sh DIR}
cache=${CCINIT_CACHE:-/var/cache/ccinit}
jobs=$(nproc)

# Source packages and the binary versions Debian bookworm ships. The list is
# the dependency order: each library's configure finds the ones before it.
srcpkgs=(json-c popt util-linux lvm2 cryptsetup kmod e2fsprogs mbedtls)

ensure_deb_src() {
	if apt-get source --print-uris -qq kmod >/dev/null 2>&1; then return 0; fi
	echo "deps: adding a deb-src list for bookworm (apt-get source needs one)"
	cat >/etc/apt/sources.list.d/ccinit-deb-src.sources <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	apt-get update -qq
}

# One build at a time per cache: parallel makes and CI runs wait for the first.
mkdir -p "$cache/deps"
exec 9>"$cache/deps/.lock"
flock 9

ensure_deb_src

# The key: this script, each source package's .dsc checksum line, the musl
# compiler's version.
versions=$(for p in "${srcpkgs[@]}"; do
	apt-get source --print-uris -qq "$p" | awk '/\.dsc/ {print $2, $4}'
done)
key=$({
	cat "$0"
	echo "$versions"
	musl-gcc --version 2>&1 | head -1
	dpkg-query -W -f='${Version}\n' musl-dev
} | sha256sum | cut -c1-16)
prefix=$cache/deps/$key

publish() {
	rm -rf "$link" "$link.tmp"
	cp -al "$prefix" "$link.tmp" 2>/dev/null || { rm -rf "$link.tmp" && cp -a "$prefix" "$link.tmp"; }
	mv "$link.tmp" "$link"
	touch "$link/.complete" # newer than this script, or make would ask again every time
}

if [ -f "$prefix/.complete" ]; then
	echo "deps: cached at $prefix"
	publish
	exit 0
fi

echo "deps: building into $prefix (key $key)"
start=$(date +%s)
rm -rf "$prefix" "$prefix.src"
mkdir -p "$prefix"/{lib,include} "$prefix.src"
src=$prefix.src

# musl-gcc does not search /usr/include; give it only the kernel UAPI headers.
kh=$prefix/kernel-headers
mkdir -p "$kh"
cp -r /usr/include/linux /usr/include/asm-generic "$kh/"
cp -r /usr/include/x86_64-linux-gnu/asm "$kh/"

export CC="musl-gcc -isystem $kh -isystem $prefix/include"
export CFLAGS="-Os -ffunction-sections -fdata-sections -fPIE -D_FORTIFY_SOURCE=0"
export LDFLAGS="-L$prefix/lib"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig PKG_CONFIG_LIBDIR=$prefix/lib/pkgconfig
log=$src/build.log

fetch() { # unpack source package $1, print its directory
	(cd "$src" && apt-get source -qq "$1" >>"$log" 2>&1)
	find "$src" -mindepth 1 -maxdepth 1 -type d -name "$1-*" | head -1
}

step() { echo "deps: $1"; }

step json-c
d=$(fetch json-c)
mkdir -p "$d/build-musl"
(cd "$d/build-musl" && cmake .. -DCMAKE_C_COMPILER=musl-gcc \
	-DCMAKE_C_FLAGS="$CFLAGS -isystem $kh" -DCMAKE_INSTALL_PREFIX="$prefix" \
	-DCMAKE_INSTALL_LIBDIR=lib -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON \
	-DDISABLE_EXTRA_LIBS=ON -DBUILD_TESTING=OFF -DBUILD_APPS=OFF &&
	make -j"$jobs" && make install) >>"$log" 2>&1

step popt
d=$(fetch popt)
(cd "$d" && ./configure --prefix="$prefix" --disable-shared --enable-static --disable-nls &&
	make -j"$jobs" && make install) >>"$log" 2>&1

step util-linux
d=$(fetch util-linux)
(cd "$d" && ./configure --prefix="$prefix" --disable-shared --enable-static \
	--disable-all-programs --enable-libblkid --enable-libuuid --enable-libmount \
	--without-systemd --without-udev --without-python --disable-nls --without-tinfo \
	--without-ncursesw --without-readline --disable-bash-completion --without-cryptsetup \
	--disable-makeinstall-chown &&
	make -j"$jobs" && make install) >>"$log" 2>&1

step "lvm2 (libdevmapper)"
d=$(fetch lvm2)
(cd "$d" && ./configure --prefix="$prefix" --enable-static_link --disable-selinux \
	--disable-udev_sync --disable-udev_rules --disable-blkid_wiping --disable-nls \
	--disable-readline --without-systemd-run &&
	make -j"$jobs" device-mapper &&
	make -C libdm install_static install_include install_pkgconfig) >>"$log" 2>&1

step cryptsetup
d=$(fetch cryptsetup)
# Backend choice: the kernel's AF_ALG. It adds no crypto library to a binary
# that must stay small, and the guest kernel already has every algorithm
# dm-verity and dm-crypt use; the price is loading af_alg, algif_hash and
# algif_skcipher in the storage profile before the first libcryptsetup call.
(cd "$d" && ./autogen.sh && ./configure --prefix="$prefix" --disable-shared --enable-static \
	--with-crypto_backend=kernel --enable-internal-argon2 --disable-ssh-token \
	--disable-external-tokens --disable-asciidoc --disable-nls --disable-cryptsetup \
	--disable-veritysetup --disable-integritysetup --disable-selinux --disable-udev \
	--disable-blkid --disable-luks2-reencryption &&
	make -j"$jobs" libcryptsetup.la && make install-libLTLIBRARIES install-includeHEADERS install-pkgconfigDATA) >>"$log" 2>&1

step "kmod (libkmod objects archived by hand: kmod refuses --enable-static)"
d=$(fetch kmod)
(cd "$d" && ./autogen.sh && ./configure --prefix="$prefix" --without-zstd --without-xz \
	--without-zlib --without-openssl --disable-manpages --disable-test-modules \
	--disable-python --disable-tools 2>/dev/null || ./configure --prefix="$prefix" \
	--without-zstd --without-xz --without-zlib --without-openssl --disable-manpages \
	--disable-test-modules) >>"$log" 2>&1
(cd "$d" && make -j"$jobs" libkmod/libkmod.la &&
	ar rcs "$prefix/lib/libkmod.a" libkmod/.libs/*.o shared/.libs/*.o &&
	install -m644 libkmod/libkmod.h "$prefix/include/") >>"$log" 2>&1

step "e2fsprogs (a static mke2fs: the scratch layer's filesystem is made at boot)"
d=$(fetch e2fsprogs)
(cd "$d" && ./configure --disable-nls --disable-fuse2fs --disable-uuidd --disable-defrag \
	--disable-debugfs --disable-imager --disable-resizer --disable-libuuid --disable-libblkid \
	--disable-e2initrd-helper --without-libarchive --disable-tdb --disable-bmap-stats &&
	make -j"$jobs" libs && make -C misc mke2fs LDFLAGS="-static $LDFLAGS" &&
	install -D -m755 misc/mke2fs "$prefix/sbin/mke2fs" && strip "$prefix/sbin/mke2fs") >>"$log" 2>&1

step "mbedtls (X.509 and ECDSA P-384 for the GPU attestation gate, init/gpu/attestation.md)"
d=$(fetch mbedtls)
(cd "$d" && make -C library -j"$jobs" CC="$CC" CFLAGS="$CFLAGS" libmbedcrypto.a libmbedx509.a &&
	install -m644 library/libmbedcrypto.a library/libmbedx509.a "$prefix/lib/" &&
	cp -r include/mbedtls "$prefix/include/") >>"$log" 2>&1

echo "$versions" >"$prefix/VERSIONS"
cp "$log" "$prefix/build.log"
rm -rf "$src"
touch "$prefix/.complete"
publish
echo "deps: built in $(($(date +%s) - start)) s"
