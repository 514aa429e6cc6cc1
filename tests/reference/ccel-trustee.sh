#!/bin/bash
# Reference test: `ccimage eventlog` against trustee's own decoding of its CC event
# log fixtures (tests/fixtures/ccel/*_out.json, from confidential-containers/trustee
# deps/eventlog/test_data).
#  1. every event's register, type and SHA-384 digest equals trustee's, in order;
#  2. `eventlog replay --json` equals a replay of trustee's digests done here in Python,
#     and for CCEL_data_ovmf the RTMR values measurement/README.md, 6.6 gives;
#  3. `eventlog diff` accepts a matching prediction (exit 0) and names the register and
#     event of a wrong one (exit 1).
. "$(dirname "$0")/../lib/tap.sh"
FIX=tests/fixtures/ccel

need "$CCIMAGE"
if [ ! -r "$FIX/CCEL_data_ovmf_out.json" ]; then
	nok "trustee CCEL fixtures: $FIX unreadable (tests/fixtures/README.md)"
	finish
fi
workdir

for log in CCEL_data_ovmf CCEL_data_grub; do
	# trustee's "index" is the CC MR index: 1..4 are RTMR0..3.
	want=$(python3 -c '
import json, sys
for e in json.load(open(sys.argv[1]))["uefi_event_logs"]:
    d = [x["digest"] for x in e["digests"] if x["alg"] == "SHA-384"][0]
    print("RTMR%d %s %s" % (e["index"] - 1, e["type_name"], d))' "$FIX/${log}_out.json")
	got=$("$CCIMAGE" eventlog show "$FIX/$log" | awk '!/^#/ { print $2, $3, $4 }')
	check_eq "$log: events equal trustee's decoding" "$got" "$want"

	want=$(python3 -c '
import hashlib, json, sys
mr = [bytes(48)] * 4
for e in json.load(open(sys.argv[1]))["uefi_event_logs"]:
    d = [x["digest"] for x in e["digests"] if x["alg"] == "SHA-384"][0]
    i = e["index"] - 1
    mr[i] = hashlib.sha384(mr[i] + bytes.fromhex(d)).digest()
print(" ".join(m.hex() for m in mr))' "$FIX/${log}_out.json")
	"$CCIMAGE" eventlog replay --json "$FIX/$log" >"$work/$log.json"
	got=$(python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
print(" ".join(j["rtmr_%d" % i] for i in range(4)))' "$work/$log.json")
	check_eq "$log: replay equals trustee's digests replayed" "$got" "$want"
done

got=$("$CCIMAGE" eventlog replay "$FIX/CCEL_data_ovmf" | head -4 | awk '{ print $2 }' | tr '\n' ' ')
check_eq "CCEL_data_ovmf replays to trustee's published RTMRs" "$got" \
	"8566f998798db09443b244c62de9a3041fb02e2e6936c4396d784bba2e90177329ec5aba3bb484404f2ab9cc90abe193 775b9f6bfe99f8a31396f0d0218e67ffa796d3b96ccf961cbb0deba48c79c00f082cda1a5567c1c16305f1fc210c13c6 94eaf7a7bf398ed8d888c91057ae0261802e4f3df084213a76ca7f0b5055ac9d2241de43cd58d9e8b49c503bbf25f34a 000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000 "

if "$CCIMAGE" eventlog diff "$FIX/CCEL_data_ovmf" "$work/CCEL_data_ovmf.json" >"$work/diff.out"; then
	ok "diff against its own replay: exit 0"
else
	nok "diff against its own replay: exit 0"
	sed 's/^/#   /' "$work/diff.out"
fi
# A prediction of the grub boot's values against the direct-boot log: every register differs.
"$CCIMAGE" eventlog diff "$FIX/CCEL_data_ovmf" "$work/CCEL_data_grub.json" >"$work/diff.out"
rc=$?
if [ $rc -eq 1 ] && grep -q '^RTMR1 differs' "$work/diff.out" && grep -q '^tdvfkernelparams differs' "$work/diff.out"; then
	ok "diff against another boot's values: exit 1, names RTMR1 and tdvfkernelparams"
else
	nok "diff against another boot's values: exit 1, names RTMR1 and tdvfkernelparams"
	echo "#   rc=$rc"
	sed 's/^/#   /' "$work/diff.out"
fi
finish
