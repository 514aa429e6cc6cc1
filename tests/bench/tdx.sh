#!/bin/bash
# Benchmark: a full TDX prediction (`ccimage measure --mode tdx`: MRTD of the firmware,
# the QEMU-patched kernel's Authenticode digest, RTMR1, RTMR2 with the initrd) on a
# 12 MiB kernel and a 64 MiB initrd, against the floor of reading and hashing the same
# bytes once: `sha384sum` of firmware, kernel and initrd. Page cache warm for both;
# medians of $RUNS runs (default 5), interleaved so background load hits both alike.
set -u
cd "$(dirname "$0")/../.."
CCIMAGE=${CCIMAGE:-build/ccimage}
RUNS=${RUNS:-5}
OVMF=${OVMF:-/usr/share/ovmf/OVMF.fd}
work=$(mktemp -d /tmp/tdx-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

[ -f "$OVMF" ] || {
	echo "tdx bench: $OVMF absent (apt-get install ovmf)" >&2
	exit 1
}
# A 12 MiB EFI-stub-shaped kernel: PE32+ headers, a bzImage setup header, one big section.
python3 - "$work/kernel" <<'PY'
import os, struct, sys
size = 12 << 20
k = bytearray(0x400) + bytearray(os.urandom(size - 0x400))
k[0:2] = b'MZ'
k[0x3c:0x40] = struct.pack('<I', 0x40)
k[0x40:0x44] = b'PE\0\0'
k[0x46:0x48] = struct.pack('<H', 1)
k[0x54:0x56] = struct.pack('<H', 240)
k[0x58:0x5a] = struct.pack('<H', 0x20b)
k[0x58 + 60:0x58 + 64] = struct.pack('<I', 0x400)
k[0x58 + 108:0x58 + 112] = struct.pack('<I', 16)
t = 0x58 + 240
k[t:t + 8] = b'.text\0\0\0'
k[t + 16:t + 24] = struct.pack('<II', size - 0x400, 0x400)
k[0x202:0x206] = b'HdrS'
k[0x206:0x208] = struct.pack('<H', 0x20f)
k[0x211] = 1
k[0x236] = 0x40
open(sys.argv[1], 'wb').write(k)
PY
head -c $((64 << 20)) /dev/urandom >"$work/initrd"
cat "$OVMF" "$work/kernel" "$work/initrd" >/dev/null

t() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null || return 1
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

predict=("$CCIMAGE" measure --mode tdx --ovmf "$OVMF" --kernel "$work/kernel" --initrd "$work/initrd"
	--append "console=hvc0 root=/dev/vda1" --memory 2G --json)
"${predict[@]}" >/dev/null || {
	echo "tdx bench: ccimage measure failed" >&2
	exit 1
}
floor= full= mrtd=
for ((i = 0; i < RUNS; i++)); do
	floor+="$(t sha384sum "$OVMF" "$work/kernel" "$work/initrd") "
	full+="$(t "${predict[@]}") "
	mrtd+="$(t "$CCIMAGE" measure --mode tdx --ovmf "$OVMF" --json) "
done
base=$(median <<<"$floor")
bytes=$(($(stat -c %s "$OVMF") + (76 << 20)))
echo "### TDX prediction: $((bytes >> 20)) MiB of inputs (2 MiB OVMF, 12 MiB kernel, 64 MiB initrd; median of $RUNS)"
echo
echo "| what | seconds | MiB/s | time vs sha384sum |"
echo "|---|---:|---:|---:|"
row() {
	local m
	m=$(median <<<"$2")
	printf '| %s | %.3f | %.0f | %.2fx |\n' "$1" "$m" "$(echo "$bytes / 1048576 / $m" | bc -l)" \
		"$(echo "$m / $base" | bc -l)"
}
row "sha384sum of the three inputs (floor, baseline)" "$floor"
row "ccimage measure --mode tdx (MRTD, RTMR1, RTMR2, event digests)" "$full"
m=$(median <<<"$mrtd")
printf '| %s | %.3f | | %.2fx |\n' "ccimage measure --mode tdx --ovmf only (MRTD)" "$m" "$(echo "$m / $base" | bc -l)"
