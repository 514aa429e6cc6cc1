#!/bin/bash
# Benchmark: `ccimage build` of a generated root of LARGE_ROOT_MIB (default
# 1536: 1 GiB of random bytes and the rest zeros, given as the recipe's local
# files) against what it cannot do without: `mkfs.erofs` with the same flags
# and `veritysetup format` on the same tree, in the same run. Wall time and
# peak memory (GNU time's maximum resident set: of ccimage and every child it
# waited for, mkfs.erofs included; for the baseline the larger of its two
# tools). The erofs bytes and the root hash must be the baseline's, or the
# table is not printed. Medians of $RUNS runs (default 3, about two minutes each),
# interleaved so background load hits both alike.
#
# LARGE_ROOT_COMPRESS (default: what the repository's recipes use) picks
# mkfs.erofs -z for both; LARGE_ROOT_COMPRESSION_TABLE=1 adds the cost and
# saving of each setting on the generated root and on a copy of
# LARGE_ROOT_REAL_TREE (default /usr/lib/x86_64-linux-gnu: shared libraries,
# as a GPU image's userspace is), the README's per-GB figures.
set -u
cd "$(dirname "$0")/../.." || exit 1
CCIMAGE=${CCIMAGE:-build/ccimage}
case $CCIMAGE in /*) ;; *) CCIMAGE=$PWD/$CCIMAGE ;; esac
RUNS=${RUNS:-3}
MIB=${LARGE_ROOT_MIB:-1536}
COMPRESS=${LARGE_ROOT_COMPRESS:-$(sed -n 's/^  compress: //p' recipes/test.yaml)}
REAL_TREE=${LARGE_ROOT_REAL_TREE:-/usr/lib/x86_64-linux-gnu}
EPOCH=1700000000

for tool in mkfs.erofs veritysetup /usr/bin/time; do
	command -v "$tool" >/dev/null || {
		echo "large-root bench: $tool not installed (apt-get install erofs-utils cryptsetup-bin time)" >&2
		exit 1
	}
done
work=$(mktemp -d "${TMPDIR:-/tmp}/large-root-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The tree, ccimage's stage, erofs and disk, and the baseline's erofs: five times the root.
need=$((MIB * 5 + 512))
free=$(($(df -Pk "$work" | awk 'NR == 2 {print $4}') / 1024))
if [ "$free" -lt "$need" ]; then
	echo "large-root bench: $free MiB free under $work, $need needed (TMPDIR=... elsewhere)" >&2
	exit 1
fi

# The root as both sides see it: ccimage stages the recipe's files into the same layout.
random=$((MIB < 1024 ? MIB : 1024))
mkdir -p "$work/tree/data"
head -c $((random << 20)) /dev/urandom >"$work/tree/data/random.bin"
head -c $(((MIB - random) << 20)) /dev/zero >"$work/tree/data/zeros.bin"
chmod 0755 "$work/tree" "$work/tree/data"
chmod 0644 "$work/tree/data/"*.bin
cat >"$work/big.yaml" <<EOF
format: 1
name: big
source-date-epoch: $EPOCH
files:
  /data/random.bin: {source: tree/data/random.bin, mode: 0644}
  /data/zeros.bin: {source: tree/data/zeros.bin, mode: 0644}
image:
  compress: $COMPRESS
EOF
"$CCIMAGE" lock "$work/big.yaml" --quiet >/dev/null || exit 1
cat "$work/tree/data/"*.bin >/dev/null

zflag=()
[ "$COMPRESS" = none ] || zflag=(-z"$COMPRESS")

# timed NAME CMD...: appends "wall:maxrss_kib" to $work/NAME.runs
timed() {
	local name=$1 t0 t1
	shift
	t0=$(date +%s.%N)
	/usr/bin/time -o "$work/$name.rss" -f '%M' "$@" >"$work/$name.out" 2>"$work/$name.err" || {
		echo "large-root bench: $name failed: $(tail -3 "$work/$name.err")" >&2
		return 1
	}
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" '{ printf "%.3f:%d\n", b - a, $1 }' "$work/$name.rss" >>"$work/$name.runs"
}

# The baseline with ccimage's UUID, time and salt, so that its bytes can be compared.
baseline() {
	local uuid salt t0 t1 m1 m2
	uuid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["erofs"]["uuid"])' "$work/out/image.json")
	salt=$(sed -n 's/.*salt=\([0-9a-f]*\).*/\1/p' "$work/out/verity_params.txt")
	rm -f "$work/base.erofs" "$work/base.verity"
	sync
	t0=$(date +%s.%N)
	/usr/bin/time -o "$work/mkfs.rss" -f '%M' mkfs.erofs --quiet "${zflag[@]}" -Enoinline_data \
		-T"$EPOCH" -U"$uuid" --all-root "$work/base.erofs" "$work/tree" || return 1
	/usr/bin/time -o "$work/vs.rss" -f '%M' veritysetup format --no-superblock --salt="$salt" \
		"$work/base.erofs" "$work/base.verity" >"$work/vs.out" || return 1
	t1=$(date +%s.%N)
	m1=$(cat "$work/mkfs.rss") m2=$(cat "$work/vs.rss")
	awk -v a="$t0" -v b="$t1" -v m="$((m1 > m2 ? m1 : m2))" 'BEGIN { printf "%.3f:%d\n", b - a, m }' \
		>>"$work/base.runs"
	cmp -s "$work/base.erofs" "$work/out/big.erofs" || {
		echo "large-root bench: the baseline's erofs differs from ccimage's" >&2
		return 1
	}
	[ "$(sed -n 's/^Root hash:[[:space:]]*//p' "$work/vs.out")" = \
		"$(sed -n 's/.*root_hash=\([0-9a-f]*\).*/\1/p' "$work/out/verity_params.txt")" ] || {
		echo "large-root bench: the root hashes differ" >&2
		return 1
	}
}

for ((i = 0; i < RUNS; i++)); do
	rm -rf "$work/out"
	sync
	timed ours "$CCIMAGE" build "$work/big.yaml" --out "$work/out" --quiet --json || exit 1
	baseline || exit 1
	rm -f "$work/base.erofs" "$work/base.verity"
done

median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
med() { cut -d: -f"$2" "$work/$1.runs" | median; }
base=$(med base 1)
ours=$(med ours 1)
erofs=$(stat -c %s "$work/out/big.erofs")
step() { python3 -c 'import json,sys
s = {x["name"]: x["seconds"] for x in json.load(open(sys.argv[1]))["steps"]}
print("%.1f" % s[sys.argv[2]])' "$work/ours.out" "$1"; }
echo "### Large root: $MIB MiB ($random MiB random, the rest zeros) as local files, compress: $COMPRESS ($(nproc) CPUs, median of $RUNS)"
echo
echo "| what | seconds | peak memory (MiB) | time vs baseline |"
echo "|---|---:|---:|---:|"
row() {
	awk -v l="$1" -v s="$(med "$2" 1)" -v m="$(med "$2" 2)" -v base="$base" \
		'BEGIN { printf "| %s | %.1f | %.0f | %.2fx |\n", l, s, m / 1024, s / base }'
}
erofs_utils=$(mkfs.erofs -V 2>/dev/null | head -1)
row "baseline: mkfs.erofs ${erofs_utils##* } + veritysetup format $(veritysetup --version | awk '{print $2}')" base
row "ccimage build (last run: stage copy $(step "local files") s, erofs + dm-verity + disk $(step "erofs + dm-verity") s)" ours
echo
awk -v o="$ours" -v b="$base" -v m="$(med ours 2)" -v e="$erofs" 'BEGIN {
	printf "Goals: at most 1.2x the baseline'\''s time: %s (%.2fx); peak memory under 256 MiB: %s (%.0f MiB).\n",
		o <= 1.2 * b ? "met" : "NOT met", o / b, m < 262144 ? "met" : "NOT met", m / 1024
	printf "Same %d-byte erofs and root hash as the baseline in every run.\n", e }'
echo "Each run, seconds: baseline $(cut -d: -f1 "$work/base.runs" | paste -sd' '), ccimage $(cut -d: -f1 "$work/ours.runs" | paste -sd' ')."
echo "Load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows both alike)."

[ "${LARGE_ROOT_COMPRESSION_TABLE:-0}" = 1 ] || exit 0
# mkfs.erofs alone, each setting, on two trees: seconds per GB of root and the image's size.
compression() {
	local label=$1 tree=$2 bytes t0 t1 z size
	bytes=$(du -sb --apparent-size "$tree" | cut -f1)
	find "$tree" -type f -exec cat {} + >/dev/null 2>&1
	for z in none lz4 lz4hc; do
		zflag=()
		[ "$z" = none ] || zflag=(-z"$z")
		rm -f "$work/c.erofs"
		sync
		t0=$(date +%s.%N)
		mkfs.erofs --quiet "${zflag[@]}" -Enoinline_data -T"$EPOCH" --all-root "$work/c.erofs" "$tree" || return 1
		t1=$(date +%s.%N)
		size=$(stat -c %s "$work/c.erofs")
		awk -v l="$label" -v z="$z" -v s="$(echo "$t1 - $t0" | bc -l)" -v b="$bytes" -v i="$size" \
			'BEGIN { printf "| %s | %s | %.1f | %.1f | %.0f | %.0f%% |\n", l, z, s, s / (b / 1e9), i / 1048576, 100 * i / b }'
	done
	rm -f "$work/c.erofs"
}
echo
echo "### mkfs.erofs compression settings ($(nproc) CPUs)"
echo
echo "| root | -z | seconds | seconds per GB | image (MiB) | image / root |"
echo "|---|---|---:|---:|---:|---:|"
compression "generated: $MIB MiB, random and zeros" "$work/tree"
if [ -d "$REAL_TREE" ]; then
	mkdir "$work/real" && cp -a "$REAL_TREE" "$work/real/" &&
		compression "$REAL_TREE ($(du -sm --apparent-size "$work/real" | cut -f1) MiB)" "$work/real"
fi
