#!/bin/bash
# Reference test: `ccimage measure --vcpus 1,4` prints one "COUNT DIGEST" line
# per count, each equal to sev-snp-measure's published vector for that count
# (its tests/test_guest.py at 8f2b337e, on the AmdSev fixture with kernel =
# initrd = /dev/null; the same values tests/unit/test_snp.c pins one at a
# time), whatever the order of the list.
. "$(dirname "$0")/../lib/tap.sh"
FW=tests/fixtures/sev-snp/ovmf_AmdSev_suffix.bin

need "$CCIMAGE"

qemu1=ddc5224521617a536ee7ce9dd6224d1b58a8d4fda1c741f3ac99fc4bfa04ba6e9fc98646d4a07a9079397fa3852819b5
qemu4=5061fffb019493a903613d56d54b94912a1a2f9e4502385f5c194616753720a92441310ba6c4933de877c36e23046ad5
gce1=5da7106cf14cf46b1725ebab123eb9e53bd46a1e9f400cd0c08e7827b04b688ea8b4e403c8404efed4397ea5d5d0722e
gce4=5c5debf100fc339f90276e761ee1f1658d08922c3b20e2a2e6c7a6c3370b2452a15a00eae11886a93d6fd1e7ab81e29d

# check NAME WANT ARGS...
check() {
	local name=$1 want=$2 got
	shift 2
	got=$("$CCIMAGE" measure --mode snp --ovmf "$FW" --kernel /dev/null --initrd /dev/null "$@" 2>&1)
	if [ "$got" = "$want" ]; then
		ok "$name"
	else
		nok "$name"
		printf '#   want: %s\n#   got:  %s\n' "$want" "$got"
	fi
}

check "QEMU EPYC-v4, vCPUs 1 and 4" "$(printf '1 %s\n4 %s' $qemu1 $qemu4)" \
	--vcpus 1,4 --vcpu-type EPYC-v4
check "QEMU EPYC-v4, vCPUs 4 and 1 (list order kept)" "$(printf '4 %s\n1 %s' $qemu4 $qemu1)" \
	--vcpus 4,1 --vcpu-type EPYC-v4
check "gce, vCPUs 1 and 4" "$(printf '1 %s\n4 %s' $gce1 $gce4)" --vcpus 1,4 --vmm-type gce

for bad in 1, ,1 1,0 1,x 1,,4 1,4097; do
	if "$CCIMAGE" measure --mode snp --ovmf "$FW" --vcpus "$bad" --vcpu-type EPYC-v4 >/dev/null 2>&1; then
		nok "--vcpus $bad is refused"
	else
		ok "--vcpus $bad is refused"
	fi
done
if "$CCIMAGE" measure --mode snp --ovmf "$FW" --vcpus 1,2 --vcpu-type EPYC-v4 --json >/dev/null 2>&1; then
	nok "a list with --json is refused"
else
	ok "a list with --json is refused"
fi

finish
