#!/bin/bash
# clang-format must leave every tracked C (and C++) file unchanged (one TAP line per file).
cd "$(dirname "$0")/.." || exit 1
mapfile -t files < <(git ls-files '*.c' '*.cc' '*.h')
echo "1..${#files[@]}"
n=0 failed=0
for f in "${files[@]}"; do
	n=$((n + 1))
	if clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
		echo "ok $n - clang-format $f"
	else
		echo "not ok $n - clang-format $f (run: make format)"
		failed=1
	fi
done
exit $failed
