#!/bin/bash
# Reference test: `ccimage gpu rtmr3` against tests/lib/aael_replay.py, a
# reader of the CoCo attestation agent's event log written from the format's
# facts (init/README.md, 10), not from our C code:
#  1. the log ccimage writes for two GPUs replays, in that reader, to exactly
#     the RTMR3 and the event lines ccimage prints;
#  2. the log is two TCG2 entries of 214 bytes, the first for CC MR 4 (RTMR3);
#  3. the reader refuses a log with one byte of an event changed (its digest
#     no longer matches), so agreement above is not vacuous;
#  4. a pair that is not BDF=DIGEST, or --eventlog naming a directory, is
#     refused with exit 3 and no log is written;
#  5. --values names, for a policy, the domain and operation the replayed
#     events carry and their number (the gpu-aael entry of
#     reference-values.json, from the same code).
. "$(dirname "$0")/../lib/tap.sh"
REPLAY=$ROOT/tests/lib/aael_replay.py

need "$CCIMAGE"
workdir
cd "$work" || exit 1

d1=$(printf '%096d' 0 | tr 0 a)
d2=$(printf '%096d' 0 | tr 0 b)
if ! "$CCIMAGE" gpu rtmr3 --eventlog log --values values.json 0000:41:00.0="$d1" \
	0000:42:00.0="$d2" >predicted 2>err; then
	nok "ccimage gpu rtmr3 --eventlog: $(cat err)"
	finish
fi
check_eq "the log replays to the RTMR3 and events ccimage printed" \
	"$(python3 "$REPLAY" log 2>&1)" "$(cat predicted)"
check_eq "the events are ccinit's, in order" "$(sed -n '2,$p' predicted)" \
	"github.com/ccinit gpu-evidence 0000:41:00.0 $d1
github.com/ccinit gpu-evidence 0000:42:00.0 $d2"
check_eq "two entries of 214 bytes" "$(stat -c %s log)" 428
check_eq "the first entry is for CC MR 4, EV_EVENT_TAG, one SHA-384 digest" \
	"$(od -An -tx1 -N14 log | tr -d ' \n')" 0400000006000000010000000c00

# The values a policy compares with trustee's AAEL claims (uefi_event_logs[i].details.data).
check_eq "--values: the replayed events' domain, operation and number" \
	"$(python3 -c 'import json, sys; v = json.load(open("values.json"))
print(v["ccinit_aael_domain"], v["ccinit_gpu_aael_operation"], v["ccinit_gpu_aael_count"])')" \
	"$(python3 "$REPLAY" log | sed -n '2,$p' | cut -d' ' -f1,2 | sort | uniq -c | awk '{print $2, $3, $1}')"

# Change one byte of the first event's text (the 'g' of github.com at offset 74).
cp log bad
printf 'G' | dd of=bad bs=1 seek=74 conv=notrunc status=none
check "the reader refuses a changed event" "! python3 '$REPLAY' bad >/dev/null 2>&1"

expect "a bare digest is refused" 3 "not BDF=DIGEST" "$CCIMAGE" gpu rtmr3 --eventlog log2 "$d1"
check "no log after a refusal" "[ ! -e log2 ]"
mkdir dir
expect "--eventlog naming a directory is refused" 3 "" "$CCIMAGE" gpu rtmr3 --eventlog dir \
	0000:41:00.0="$d1"
finish
