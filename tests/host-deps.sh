#!/bin/bash
# Installs the Debian packages that building, testing and the demo need, on a
# fresh Debian bookworm machine. Idempotent and quick when all are present.
set -euo pipefail

packages=(
	# building ccinit: musl, and what the static dependency build needs
	build-essential musl-tools dpkg-dev autoconf automake libtool autopoint gettext pkg-config
	cmake bison flex gperf
	# building ccimage and the unit tests
	libkmod-dev libcryptsetup-dev libmbedtls-dev libssl-dev libjson-c-dev libyaml-dev libarchive-dev libelf-dev
	liblzma-dev libzstd-dev
	libtomlplusplus-dev
	# NVIDIA's RIMs (XML-DSig); the xmlsec1 program signs the test RIMs and checks ccimage's verdicts
	libxmlsec1-dev libxmlsec1-openssl xmlsec1
	clang clang-format
	# images, the VM harness and reference tests
	kmod cpio cryptsetup-bin erofs-utils e2fsprogs qemu-system-x86 busybox-static python3
	ovmf xz-utils zstd
	# the AMD SEV OVMF build (ccimage firmware build: edk2's BaseTools, nasm, iasl, dpkg-source)
	nasm acpica-tools uuid-dev
	# the guest kernel build (ccimage kernel build: Kconfig, bzImage, module signing)
	bc bison flex libelf-dev libssl-dev openssl
	# reference tests and benchmarks
	osslsigncode openssl bc time parted debian-archive-keyring python3-cryptography
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "host-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
