#!/bin/bash
# ccinit is what the TEE measures first in a guest image, so its bytes must
# follow from its sources: two builds of the committed tree in different
# directories (different depth, different umask) give the same binary, and
# it has no program interpreter (a dynamic PIE would not boot as init: nvrc #202).
. "$(dirname "$0")/../lib/tap.sh"
deps=$(readlink -f build/deps)
echo "1..4"
if [ ! -f "$deps/.complete" ]; then
	nok "the static dependencies are not built (make deps)"
	exit 1
fi
workdir
sums=()
for dir in "$work/a" "$work/b/deeper/still"; do
	mkdir -p "$dir/build"
	git archive HEAD | tar -x -C "$dir"
	ln -s "$deps" "$dir/build/deps"
	(cd "$dir" && umask 077 && make -s build/ccinit >"$dir.log" 2>&1) || { nok "build in $dir"; tail -20 "$dir.log" | sed 's/^/#   /'; exit 1; }
	sums+=("$(sha256sum <"$dir/build/ccinit" | cut -d' ' -f1)")
	umask 022
done
ok "built twice from HEAD in two directories"
if [ "${sums[0]}" = "${sums[1]}" ]; then
	ok "same sha256 ${sums[0]}"
else
	nok "the builds differ: ${sums[0]} vs ${sums[1]}"
fi
if readelf -l "$work/a/build/ccinit" | grep -q "program interpreter"; then
	nok "ccinit has a program interpreter: not static"
else
	ok "static: no program interpreter"
fi
# The clone's own copy, not a link into CCINIT_CACHE: a cleaned cache, or another
# CCINIT_CACHE in the next run, must not leave the build pointing at nothing.
if [ -d build/deps ] && [ ! -L build/deps ] && [ -x build/deps/sbin/mke2fs ]; then
	ok "build/deps is the clone's own copy of the cached libraries"
else
	nok "build/deps is a link into the cache, or incomplete: $(ls -ld build/deps)"
fi
exit $((failed > 0))
