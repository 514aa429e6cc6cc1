#!/bin/bash
# Runs each libFuzzer target for a bounded time (FUZZ_SECONDS, default 20) from
# its seed corpus (tests/fuzz/corpus/<target>/ when present). A crash, a leak
# or a sanitizer report fails that target; the reproducer is kept in build/fuzz.
seconds=${FUZZ_SECONDS:-20}
echo "1..$#"
n=0 failed=0
for target in "$@"; do
	n=$((n + 1))
	name=$(basename "$target")
	corpus=build/fuzz/corpus-$name
	mkdir -p "$corpus"
	seeds=tests/fuzz/corpus/$name
	[ -d "$seeds" ] || seeds=
	max_len=
	# The published inputs the reference tests use are the best seeds for the parsers they exercise.
	case $name in
	fuzz_ovmf) seeds="$seeds tests/fixtures/sev-snp" ;;
	fuzz_eventlog) seeds="$seeds tests/fixtures/ccel" ;;
	fuzz_kata_toml) seeds="$seeds tests/fixtures/kata" ;;
	esac
	# Inputs as large as the command reading them accepts (libFuzzer's default cap is the largest
	# seed): KATA_TOML_MAX, measurement/kata/toml_read.h.
	case $name in
	fuzz_kata_toml) max_len=-max_len=4194304 ;;
	esac
	if "$target" -max_total_time="$seconds" -rss_limit_mb=2048 $max_len -artifact_prefix=build/fuzz/"$name"- \
		"$corpus" $seeds >build/fuzz/"$name".log 2>&1; then
		runs=$(grep -oE 'Done [0-9]+ runs' build/fuzz/"$name".log | grep -oE '[0-9]+')
		echo "ok $n - fuzz $name (${runs:-?} runs in ${seconds} s)"
	else
		echo "not ok $n - fuzz $name"
		tail -30 build/fuzz/"$name".log | sed 's/^/#   /'
		failed=1
	fi
done
exit $failed
