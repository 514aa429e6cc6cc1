#!/bin/bash
# Runs every benchmark (tests/bench/*.sh but this one); each prints its own
# markdown table with ratios against a baseline measured in the same run.
cd "$(dirname "$0")/../.." || exit 1
status=0
for b in tests/bench/*.sh; do
	[ "$(basename "$b")" = run.sh ] && continue
	echo
	bash "$b" || status=1
done
exit $status
