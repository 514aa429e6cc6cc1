#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Benchmark: `ccimage measure --tee snp` against sev-snp-measure on the same
# inputs: a 4 MiB firmware (random code pages ending in the AmdSevX64 suffix
# fixture, as OVMF.fd is laid out), a 12 MiB kernel, a 64 MiB initrd, 4 vCPUs.
# Page cache warm for both; both must print the same digest in every run, or
# no table is printed. Medians of $RUNS runs (default 5), interleaved.
#
# sev-snp-measure: $SEV_SNP_MEASURE (executable or sev-snp-measure.py) or on
# PATH. Without it the table shows ccimage alone and says how to get it.
# The "SHA-256 floor" row is `openssl dgst -sha256` over the kernel and the
# initrd: work that every implementation must do, whatever its language.
set -u
cd "$(dirname "$0")/../.."
CCIMAGE=${CCIMAGE:-build/ccimage}
RUNS=${RUNS:-5}
FIX=tests/fixtures/sev-snp/ovmf_AmdSev_suffix.bin

[ -x "$CCIMAGE" ] || {
	echo "snp bench: $CCIMAGE not built (make build/ccimage)" >&2
	exit 1
}
[ -r "$FIX" ] || {
	echo "snp bench: $FIX missing (tests/fixtures/README.md)" >&2
	exit 1
}
. tests/lib/sev-snp-measure.sh
ref_sev_snp_measure

work=$(mktemp -d /tmp/snp-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
{
	head -c $((4 * 1024 * 1024 - 4096)) /dev/urandom
	cat "$FIX"
} >"$work/OVMF.fd"
head -c $((12 * 1024 * 1024)) /dev/urandom >"$work/vmlinuz"
head -c $((64 * 1024 * 1024)) /dev/urandom >"$work/initrd.img"
cat "$work"/* >/dev/null

args=(--vcpus=4 --vcpu-type=EPYC-v4 --ovmf="$work/OVMF.fd" --kernel="$work/vmlinuz"
	--initrd="$work/initrd.img" --append="console=ttyS0 root=/dev/vda1 ro")

# run NAME CMD...: appends "wall cpu" seconds to $work/NAME.times, output to $work/NAME.out
run() {
	local name=$1 t
	shift
	t=$( {
		TIMEFORMAT='%R %U %S'
		time "$@" >"$work/$name.out" 2>"$work/$name.err"
	} 2>&1) || {
		echo "snp bench: $name failed: $(cat "$work/$name.err")" >&2
		exit 1
	}
	awk '{printf "%s %.3f\n", $1, $2 + $3}' <<<"$t" >>"$work/$name.times"
}
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
col() { awk -v c="$2" '{print $c}' "$work/$1.times" | median; }

for ((i = 0; i < RUNS; i++)); do
	if [ ${#ref[@]} -gt 0 ]; then
		run ref "${ref[@]}" --mode=snp "${args[@]}"
	fi
	run ours "$CCIMAGE" measure --tee snp "${args[@]}"
	run floor openssl dgst -sha256 "$work/vmlinuz" "$work/initrd.img"
	if [ ${#ref[@]} -gt 0 ] && ! cmp -s "$work/ref.out" "$work/ours.out"; then
		echo "snp bench: digests differ: $(cat "$work/ref.out") vs $(cat "$work/ours.out")" >&2
		exit 1
	fi
done

echo "### SNP launch digest: 4 MiB OVMF, 12 MiB kernel, 64 MiB initrd, 4 vCPUs ($(nproc) CPUs, median of $RUNS)"
echo
echo "| tool | wall s | CPU s | speed vs sev-snp-measure (wall) | (CPU) |"
echo "|---|---:|---:|---:|---:|"
if [ ${#ref[@]} -gt 0 ]; then
	bw=$(col ref 1) bc=$(col ref 2)
	ver=$("${ref[@]}" --version 2>&1 | awk '{print $NF}')
	printf '| sev-snp-measure %s (baseline) | %.3f | %.3f | 1.00x | 1.00x |\n' "$ver" "$bw" "$bc"
fi
row() {
	local label=$1 key=$2 w c
	w=$(col "$key" 1) c=$(col "$key" 2)
	if [ ${#ref[@]} -gt 0 ]; then
		printf '| %s | %.3f | %.3f | %.1fx | %.1fx |\n' "$label" "$w" "$c" \
			"$(echo "$bw / $w" | bc -l)" "$(echo "$bc / $c" | bc -l)"
	else
		printf '| %s | %.3f | %.3f | n/a | n/a |\n' "$label" "$w" "$c"
	fi
}
row "ccimage measure --tee snp" ours
row "SHA-256 floor: openssl dgst of kernel + initrd" floor
echo
if [ ${#ref[@]} -gt 0 ]; then
	echo "digest $(cat "$work/ours.out") identical in every run"
else
	echo "Baseline absent: sev-snp-measure (virtee, Python, distributed through PyPI only) is not"
	echo "installed, so the table compares with the SHA-256 floor alone. To add its column, install"
	echo "sev-snp-measure 0.0.13 (pip) or check out its repository, and run"
	echo "SEV_SNP_MEASURE=/path/to/sev-snp-measure.py make bench."
fi
