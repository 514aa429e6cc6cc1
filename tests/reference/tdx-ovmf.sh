#!/bin/bash
# Reference test: MRTD of Debian bookworm's unified OVMF.fd (package ovmf).
#  1. single-pass MRTD equals td-shim's td_shim_tee_info_hash.py value (measurement/README.md, 5.3);
#  2. the metadata ccimage parsed agrees with a second reading done here in Python, and
#     the two-pass MRTD (QEMU 8.x) equals one computed here from the record layout
#     (measurement/README.md, 5.2);
#  3. RTMR0's events: the TD HOB for 2 GiB equals the one in trustee's CCEL_data_ovmf;
#  4. the split OVMF_CODE.fd, whose metadata points past its end, is refused with a reason.
. "$(dirname "$0")/../lib/tap.sh"
OVMF=${OVMF:-/usr/share/ovmf/OVMF.fd}
CODE=/usr/share/OVMF/OVMF_CODE.fd
TD_SHIM_MRTD=4c7206f0f483c524f12c366c711e9049030a8d47c471ee5aa9c4999a08de4057fb887fed0744d5631a212967fb231c47

need "$CCIMAGE"
if [ ! -f "$OVMF" ]; then
	skip_all "Debian OVMF MRTD" "$OVMF absent (apt-get install ovmf)"
fi

json=$("$CCIMAGE" measure --mode tdx --ovmf "$OVMF" --json)
single=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["mr_td"])' "$json")
check_eq "single-pass MRTD of $OVMF equals td-shim's" "$single" "$TD_SHIM_MRTD"

two=$("$CCIMAGE" measure --mode tdx --ovmf "$OVMF" --two-pass --json |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["mr_td"])')
want_two=$(python3 - "$OVMF" <<'PY'
import hashlib, struct, sys
fw = open(sys.argv[1], 'rb').read()
guid = lambda s: __import__('uuid').UUID(s).bytes_le
assert fw[-48:-32] == guid('96b582de-1fb2-45f7-baea-a366c55a082d')
end = len(fw) - 50
start = end + 18 - struct.unpack('<H', fw[end:end + 2])[0]
pos, off = end, None
while pos - start >= 18:
    size = struct.unpack('<H', fw[pos - 18:pos - 16])[0]
    if fw[pos - 16:pos] == guid('e47a6535-984a-4798-865e-4685a7bf8ec2'):
        off = len(fw) - struct.unpack('<I', fw[pos - 22:pos - 18])[0]
    pos -= size
assert fw[off:off + 4] == b'TDVF'
count = struct.unpack('<I', fw[off + 12:off + 16])[0]
h = hashlib.sha384()
for i in range(count):
    doff, raw, gpa, size, typ, attr = struct.unpack('<IIQQII', fw[off + 16 + 32 * i:off + 48 + 32 * i])
    pages = size // 4096
    if not attr & 2:
        for p in range(pages):
            h.update(b'MEM.PAGE.ADD'.ljust(16, b'\0') + struct.pack('<Q', gpa + 4096 * p) + bytes(104))
    if attr & 1:
        for p in range(pages):
            for c in range(16):
                h.update(b'MR.EXTEND'.ljust(16, b'\0') + struct.pack('<Q', gpa + 4096 * p + 256 * c) + bytes(104))
                h.update(fw[doff + 4096 * p + 256 * c:doff + 4096 * p + 256 * (c + 1)])
print(h.hexdigest())
PY
)
check_eq "two-pass MRTD equals an independent Python computation" "$two" "$want_two"

# RTMR0 with made-up ACPI blobs at 2 GiB: the TD HOB event must be the one in trustee's
# CCEL_data_ovmf (a 2 GiB guest on the same TDVF memory layout), the CFV event the hash of
# the image's VARS region, the ACPI events the blobs' hashes, and rtmr_0 their replay.
workdir
for b in loader rsdp tables; do head -c $((RANDOM + 1)) /dev/urandom >"$work/$b"; done
if "$CCIMAGE" measure --mode tdx --ovmf "$OVMF" --memory 2G --acpi-loader "$work/loader" \
	--acpi-rsdp "$work/rsdp" --acpi-tables "$work/tables" --json --events >"$work/p.json"; then
	why=$(python3 - "$work" "$OVMF" tests/fixtures/ccel/CCEL_data_ovmf_out.json <<'PY'
import hashlib, json, os, sys
work, ovmf, log = sys.argv[1:]
p = json.load(open(os.path.join(work, 'p.json')))
ev = {e['name']: e['digest'] for e in p['events']['rtmr_0']}
h = lambda b: hashlib.sha384(b).hexdigest()
want = {'cfv': h(open(ovmf, 'rb').read()[0:0x20000])}
for b in ('loader', 'rsdp', 'tables'):
    want['acpi_' + b] = h(open(os.path.join(work, b), 'rb').read())
want['td_hob'] = json.load(open(log))['uefi_event_logs'][0]['digests'][0]['digest']
mr = bytes(48)
for e in p['events']['rtmr_0']:
    mr = hashlib.sha384(mr + bytes.fromhex(e['digest'])).digest()
bad = [k for k in want if ev.get(k) != want[k]]
if mr.hex() != p['rtmr_0']:
    bad.append('rtmr_0 is not the replay of its events')
print(' '.join(bad))
PY
)
	check_eq "RTMR0: TD HOB (trustee's log), CFV, ACPI events and their replay" "$why" ""
else
	nok "RTMR0: measure with ACPI blobs"
fi

if [ -f "$CODE" ]; then
	out=$("$CCIMAGE" measure --mode tdx --ovmf "$CODE" 2>&1)
	rc=$?
	if [ $rc -eq 3 ] && echo "$out" | grep -q "unified image"; then
		ok "split OVMF_CODE.fd is refused (exit 3) with a reason"
	else
		nok "split OVMF_CODE.fd is refused (exit 3) with a reason"
		echo "#   rc=$rc: $out"
	fi
else
	skip "split OVMF_CODE.fd refused" "$CODE absent"
fi
finish
