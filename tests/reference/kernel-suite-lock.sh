#!/bin/bash
# kernel.build.suite against the Debian archive (apt, network): the kernel's
# sources come from another suite than the image's packages. Trixie's own
# kernel is 6.12, which predates the TSM measurement registers; its
# backports suite has newer ones (kernel-configs/README.md, "Which kernel
# the recipes build"). The lock must pin linux-source from the named suite
# (a backports version), the image's packages still from the release, and
# the backports suite must be read alone (it has no -updates or -security
# pocket, which apt would fail on). Without the key, the release's kernel.
TAP_PREFIX="kernel suite: "
. "$(dirname "$0")/../lib/tap.sh"

if ! command -v apt-get >/dev/null; then
	nok "apt-get not installed (make host-deps installs it)"
	finish
fi
need "$CCIMAGE"
workdir

recipe() { # FILE KERNEL-BUILD-MAP
	cat >"$1" <<YAML
format: 1
name: suite-test
debian:
  suite: trixie
  components: [main, contrib]
packages:
  base-files:
    slices:
      release: [/etc/os-release]
kernel:
  build: $2
YAML
}

recipe "$work/backports.yaml" "{suite: trixie-backports}"
"$CCIMAGE" lock "$work/backports.yaml" --quiet 2>"$work/bp.err"
rc=$?
check "ccimage lock with kernel.build.suite: trixie-backports (exit 0)" '[ $rc -eq 0 ]'
[ $rc -eq 0 ] || sed 's/^/#   /' "$work/bp.err"
lock=$work/backports.yaml.lock
check "linux-source is pinned at a backports version (~bpo13)" \
	'grep -Eq "^package linux-source-[0-9]+\.[0-9]+ [^ ]+~bpo13\+[0-9]+ all [0-9a-f]{64} " "$lock"'
check "nvidia-open-kernel-source comes from the same suite (~bpo13)" \
	'grep -Eq "^package nvidia-open-kernel-source [^ ]+~bpo13\+[0-9]+ amd64 " "$lock"'
check "the kernel-build line names the backports kernel's source package" \
	'src=$(awk "/^kernel-build /{print \$2}" "$lock") &&
	 grep -q "^package $src [^ ]*~bpo13" "$lock"'
check "the image's packages still come from the release (base-files has no ~bpo)" \
	'grep -Eq "^package base-files [0-9][^ ~]* amd64 " "$lock"'
check "lock --check calls the fresh lock current" \
	'"$CCIMAGE" lock "$work/backports.yaml" --check >/dev/null 2>&1'

recipe "$work/release.yaml" "{nvidia: false}"
"$CCIMAGE" lock "$work/release.yaml" --quiet 2>"$work/rel.err"
rc=$?
check "without the key: ccimage lock (exit 0)" '[ $rc -eq 0 ]'
[ $rc -eq 0 ] || sed 's/^/#   /' "$work/rel.err"
check "without the key: the release's linux-source-6.12, no backports version" \
	'grep -Eq "^package linux-source-6\.12 [^ ~]+ all " "$work/release.yaml.lock"'

recipe "$work/bad.yaml" "{suite: no-such-suite-backports}"
"$CCIMAGE" lock "$work/bad.yaml" --quiet >"$work/bad.out" 2>&1
rc=$?
check "a suite the archive lacks fails (exit non-zero) naming it" \
	'[ $rc -ne 0 ] && grep -q "no-such-suite-backports" "$work/bad.out"'
[ $rc -ne 0 ] || sed 's/^/#   /' "$work/bad.out"
finish
