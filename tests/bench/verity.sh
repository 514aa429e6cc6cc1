#!/bin/bash
# Benchmark: `ccimage verity format` against `veritysetup format` on the same
# 1 GiB input (page cache warm for both), same salt and parameters (Kata's
# scheme: sha256, 4096/4096, no superblock). Every run must give the same
# root hash and the same hash file, or the table is not printed. Medians of
# $RUNS runs (default 3), interleaved so background load hits both alike.
set -u
cd "$(dirname "$0")/../.."
CCIMAGE=${CCIMAGE:-build/ccimage}
RUNS=${RUNS:-3}
MIB=${VERITY_BENCH_MIB:-1024}

command -v veritysetup >/dev/null || {
	echo "verity bench: veritysetup not installed (apt-get install cryptsetup-bin)" >&2
	exit 1
}
work=$(mktemp -d /tmp/verity-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
salt=$(printf '%064x' 42)
opts=(--no-superblock --hash=sha256 --data-block-size=4096 --hash-block-size=4096 --salt=$salt)

head -c $((MIB << 20)) /dev/urandom >"$work/data"
cat "$work/data" >/dev/null

# run NAME CMD...: prints "wall cpu" seconds, keeps the root hash in $work/NAME.root
run() {
	local name=$1 t0 t1
	shift
	rm -f "$work/$name.hash"
	t0=$(date +%s.%N)
	"${TIME_BIN:-/usr/bin/time}" -o "$work/$name.cpu" -f '%U %S' "$@" "$work/data" "$work/$name.hash" \
		>"$work/$name.out" || return 1
	t1=$(date +%s.%N)
	sed -n 's/^Root hash:[[:space:]]*//p' "$work/$name.out" >"$work/$name.root"
	awk -v a="$t0" -v b="$t1" '{ printf "%.4f:%.2f\n", b - a, $1 + $2 }' "$work/$name.cpu"
}
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

declare -A times
for ((i = 0; i < RUNS; i++)); do
	times[veritysetup]+="$(run veritysetup veritysetup format "${opts[@]}") "
	times[ours]+="$(run ours "$CCIMAGE" verity format "${opts[@]}") "
	times[ours1]+="$(run ours1 "$CCIMAGE" verity format --threads=1 "${opts[@]}") "
	times[portable]+="$(CCIMAGE_VERITY_SIMD=0 run portable "$CCIMAGE" verity format "${opts[@]}") "
	# Both SHA-256 engines on one thread: ccimage times them and takes the faster.
	times[lanes1]+="$(CCIMAGE_VERITY_SIMD=1 run lanes1 "$CCIMAGE" verity format --threads=1 "${opts[@]}") "
	times[openssl1]+="$(CCIMAGE_VERITY_SIMD=0 run openssl1 "$CCIMAGE" verity format --threads=1 "${opts[@]}") "
	for t in ours ours1 portable lanes1 openssl1; do
		if ! cmp -s "$work/veritysetup.root" "$work/$t.root" ||
			! cmp -s "$work/veritysetup.hash" "$work/$t.hash"; then
			echo "verity bench: $t output differs from veritysetup's" >&2
			exit 1
		fi
	done
done

# field 1 wall seconds, 2 CPU seconds
med() { tr ' ' '\n' <<<"${times[$1]}" | grep . | cut -d: -f"$2" | median; }
base=$(med veritysetup 1)
echo "### dm-verity tree: $MIB MiB, sha256, 4096/4096, no superblock ($(nproc) CPUs, median of $RUNS)"
echo
echo "| tool | seconds | MiB/s | CPU seconds | speed vs veritysetup |"
echo "|---|---:|---:|---:|---:|"
row() {
	awk -v l="$1" -v m="$(med "$2" 1)" -v cpu="$(med "$2" 2)" -v mib="$MIB" -v base="$base" \
		'BEGIN { printf "| %s | %.3f | %.0f | %.2f | %.2fx |\n", l, m, mib / m, cpu, base / m }'
}
row "veritysetup format $(veritysetup --version | awk '{print $2}') (baseline)" veritysetup
row "ccimage verity format, $(nproc) threads" ours
row "ccimage verity format, 1 thread" ours1
row "ccimage verity format, $(nproc) threads, OpenSSL only (no AVX-512)" portable
row "ccimage verity format, 1 thread, AVX-512 lanes (CCIMAGE_VERITY_SIMD=1)" lanes1
row "ccimage verity format, 1 thread, OpenSSL only (CCIMAGE_VERITY_SIMD=0)" openssl1
echo
echo "Load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows every row alike)."
echo "Root hash $(cat "$work/ours.root") identical in every run."
