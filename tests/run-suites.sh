#!/bin/bash
# Runs each TAP-producing command given as an argument, keeps their output in
# build/test-logs, and adds every suite up into the one closing line CI reads:
# "N passed, N failed, N skipped". A suite that dies without reporting counts as
# one failure, so a crash can never look like a pass.
set -u
logs=${TEST_LOGS:-build/test-logs}
mkdir -p "$logs"
passed=0 failed=0 skipped=0
for cmd in "$@"; do
	name=$(basename "${cmd%% *}")
	log=$logs/$name.tap
	bash -c "$cmd" >"$log" 2>&1
	rc=$?
	p=$(grep -Ec '^ok [0-9]+' "$log" | head -1)
	s=$(grep -Ec '^ok [0-9]+ .*# SKIP' "$log")
	f=$(grep -Ec '^not ok [0-9]+' "$log")
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited $rc without a failing test" >>"$log"
		f=1
	fi
	grep -E '^(not ok|ok .*# SKIP)' "$log" | sed "s/^/  /"
	if [ "$f" -gt 0 ]; then grep -E '^#' "$log" | head -40 | sed "s/^/  /"; fi
	printf '%-28s %4d passed %3d failed %3d skipped\n' "$name" "$p" "$f" "$s"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
