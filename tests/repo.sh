#!/bin/bash
# The repository stands alone: a clone is all a user has. Checks that no tracked
# file reads or cites anything outside the clone (the sibling folder of shared
# material a developer's workplace may have beside it, or design documents that
# are not in the repository), and that the published fixtures are the bytes
# their README records. Prints TAP.
. "$(dirname "$0")/lib/tap.sh"

# none_match NAME REGEX: a test that no tracked file but this one matches REGEX
# (this file spells the patterns out, so it is the one exception).
none_match() {
	local hits
	hits=$(git grep -nE "$2" -- . ':!tests/repo.sh')
	if [ -z "$hits" ]; then
		ok "$1"
	else
		nok "$1"
		echo "$hits" | head -20 | sed 's/^/#   /'
	fi
}

sibling='\.\./'shared
none_match "no tracked file refers to the folder beside the clone" \
	"$sibling|${sibling#*/}/(fixtures|docs)"
none_match "no tracked file cites a document that is not in the repository" \
	'(DESIGN|REFERENCE|PEERS|ARCHITECTURE-REVIEW)\.md|REFERENCE [0-9]'

# Each "<sha256>  <path>" line of the fixtures README must hold for the tracked file.
sums=$(sed -nE 's/^([0-9a-f]{64})  (.+)$/\1  \2/p' tests/fixtures/README.md)
listed=$(echo "$sums" | awk 'NF { print $2 }' | sort)
tracked=$(git ls-files tests/fixtures | grep -v README.md | sed 's|^tests/fixtures/||' | sort)
if [ -n "$listed" ] && [ "$listed" = "$tracked" ]; then
	ok "every fixture is listed in tests/fixtures/README.md with its checksum"
else
	nok "every fixture is listed in tests/fixtures/README.md with its checksum"
	diff <(echo "$listed") <(echo "$tracked") | sed 's/^/#   /'
fi
if (cd tests/fixtures && echo "$sums" | sha256sum --check --quiet >/dev/null 2>&1); then
	ok "the fixtures are the bytes their README records"
else
	nok "the fixtures are the bytes their README records"
	(cd tests/fixtures && echo "$sums" | sha256sum --check 2>&1 | grep -v ': OK$' | sed 's/^/#   /')
fi
finish
