#!/bin/bash
# Static ccinit's size, against the baseline it replaces: Debian's busybox,
# modprobe (kmod), veritysetup, cryptsetup and mke2fs with every shared
# library they load, as the baseline initramfs carries them.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
strip -o "$tmp/ccinit" build/ccinit
strip -o "$tmp/mke2fs" build/deps/sbin/mke2fs
ours=$(stat -c %s "$tmp/ccinit")
mke2fs=$(stat -c %s "$tmp/mke2fs")
tools="/bin/busybox /bin/kmod /sbin/veritysetup /sbin/cryptsetup /sbin/mke2fs"
libs=$( (ldd $tools 2>/dev/null || true) | grep -oE "/[^ ]+\.so[^ ]*" | sort -u)
base=$(stat -L -c %s $tools $libs | awk '{s += $1} END {print s}')
# A static binary has no program interpreter (a dynamic PIE would: nvrc #202).
if readelf -l build/ccinit | grep -q "Requesting program interpreter"; then echo "build/ccinit is not static"; exit 1; fi
echo "### Size (stripped)"
echo
echo "| what | bytes | KiB | ratio |"
echo "|---|---:|---:|---:|"
printf '| baseline: busybox + kmod + veritysetup + cryptsetup + mke2fs + their %d libraries | %d | %d | 1.00 |\n' \
	"$(echo "$libs" | wc -l)" "$base" $((base / 1024))
awk -v o="$ours" -v b="$base" 'BEGIN { printf "| ccinit, static (libkmod, libcryptsetup, libdevmapper, json-c, libuuid, mbedTLS) | %d | %d | %.2f |\n", o, o / 1024, o / b }'
awk -v o="$((ours + mke2fs))" -v b="$base" 'BEGIN { printf "| ccinit + static mke2fs (what the initramfs carries) | %d | %d | %.2f |\n", o, o / 1024, o / b }'
echo
echo "Goal: ccinit under 1 MiB with every library linked in: $([ "$ours" -lt 1048576 ] && echo met || echo NOT met)."
