# TAP for the shell suites (tests/reference, tests/slow, tests/gpu, tests/repo.sh),
# sourced first thing: . "$(dirname "$0")/../lib/tap.sh"
# tests/run-suites.sh counts what these print: "ok N - NAME", "not ok N - NAME",
# "ok N - NAME # SKIP REASON", and the suite's exit status (0 only when nothing failed).
#
# Sourcing it (bash; sh, as tests/gpu/compare.sh is, or TAP_HERE=1, stays where it was):
#   moves to the repository root and sets ROOT to it;
#   CCIMAGE   ${CCIMAGE:-build/ccimage}, absolute (a relative one is read from ROOT);
#   n failed  the tests so far and the failures among them.
# Set before sourcing: TAP_PREFIX, put before every test's name ("kata drop-in: ").
#
#   ok NAME, nok NAME, skip NAME REASON   one test each
#   check NAME EXPR    ok when EXPR holds (eval'd first thing: a $? in it is the
#                      status of the command before the call); returns 1 when not
#   check_eq NAME GOT WANT   ok when GOT = WANT, else nok with both (2000 bytes each)
#   need FILE...       a FILE that is not an executable fails the suite here
#                      ("not ok 1 - FILE not built (make all)")
#   skip_all NAME REASON   the suite is skipped: one SKIP, the plan, exit 0
#   workdir            $work, a fresh directory removed on exit (kept and named with
#                      KEEP_WORK=1); $at_exit, when set, is eval'd before the removal
#   finish             the plan "1..N", then exit 1 when anything failed, else 0
set -u
n=0
failed=0
TAP_PREFIX=${TAP_PREFIX:-}
if [ -n "${BASH_SOURCE:-}" ] && [ -z "${TAP_HERE:-}" ]; then
	cd "$(dirname "$BASH_SOURCE")/../.." || exit 1
fi
ROOT=$PWD
CCIMAGE=${CCIMAGE:-build/ccimage}
case $CCIMAGE in /*) ;; *) CCIMAGE=$ROOT/$CCIMAGE ;; esac

ok() {
	n=$((n + 1))
	echo "ok $n - $TAP_PREFIX$1"
}
nok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $TAP_PREFIX$1"
}
skip() {
	n=$((n + 1))
	echo "ok $n - $TAP_PREFIX$1 # SKIP $2"
}
check() {
	if eval "$2"; then
		ok "$1"
	else
		nok "$1"
		return 1
	fi
}
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		nok "$1"
		echo "#   got  $2" | head -c 2000
		echo
		echo "#   want $3" | head -c 2000
		echo
		return 1
	fi
}
# expect NAME CODE PATTERN COMMAND...: COMMAND exits CODE (within $EXPECT_TIMEOUT,
# 20 s, so a hang fails rather than stalls) and its stderr has PATTERN (any
# when empty). Its stdout and stderr stay in out.log and err.log.
expect() {
	local name=$1 code=$2 pattern=$3 rc
	shift 3
	timeout "${EXPECT_TIMEOUT:-20}" "$@" >out.log 2>err.log </dev/null
	rc=$?
	if [ $rc -eq "$code" ] && { [ -z "$pattern" ] || grep -q -- "$pattern" err.log; }; then
		ok "$name"
	else
		nok "$name: exit $rc (want $code), no '$pattern' in:"
		sed 's/^/#   /' err.log | head -5
	fi
}
finish() {
	echo "1..$n"
	exit $((failed > 0))
}
skip_all() {
	skip "$1" "$2"
	finish
}
need() {
	for tap_f in "$@"; do
		if [ ! -x "$tap_f" ] || [ -d "$tap_f" ]; then
			nok "$tap_f not built (make all)"
			finish
		fi
	done
}
at_exit=
tap_exit() {
	eval "$at_exit"
	[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
workdir() {
	work=$(mktemp -d) || exit 1
	trap tap_exit EXIT
	[ -z "${KEEP_WORK:-}" ] || echo "# work directory $work"
}
