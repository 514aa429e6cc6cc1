#!/bin/bash
# Reference test: the kernel digest of `ccimage measure --mode tdx` (tdvfkernel) against
# osslsigncode's Authenticode SHA-384 of the same image. The generated EFI-stub-shaped
# image (PE32+, sections listed out of file order, a bzImage setup header that already
# carries QEMU's direct-boot patch, so the patch leaves it unchanged) is signed with a
# throw-away key; osslsigncode then prints the digest it computed, which must be ours.
. "$(dirname "$0")/../lib/tap.sh"

need "$CCIMAGE"
if ! command -v osslsigncode >/dev/null || ! command -v openssl >/dev/null; then
	skip_all "Authenticode vs osslsigncode" "osslsigncode not installed (apt-get install osslsigncode)"
fi
workdir
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/k.pem" -out "$work/c.pem" -days 1 \
	-subj /CN=ccinit-test >/dev/null 2>&1

for seed in 1 2 3; do
	python3 - "$work/k$seed.efi" "$seed" <<'PY'
import random, struct, sys
rnd = random.Random(int(sys.argv[2]))
sizes = [rnd.randrange(1, 40) * 0x200 for _ in range(3)]
hdrs = 0x400
offs, o = [], hdrs
for s in sizes:
    offs.append(o)
    o += s
trail = rnd.randrange(0, 64)
k = bytearray(rnd.getrandbits(8) for _ in range(o + trail))
k[0:hdrs] = bytes(hdrs)
k[0:2] = b'MZ'
k[0x3c:0x40] = struct.pack('<I', 0x40)
k[0x40:0x44] = b'PE\0\0'
k[0x44:0x46] = struct.pack('<H', 0x8664)
k[0x46:0x48] = struct.pack('<H', len(sizes))
k[0x54:0x56] = struct.pack('<H', 240)
k[0x56:0x58] = struct.pack('<H', 0x22e)
opt = 0x58
k[opt:opt + 2] = struct.pack('<H', 0x20b)
k[opt + 32:opt + 40] = struct.pack('<II', 0x1000, 0x200)  # section and file alignment
k[opt + 56:opt + 64] = struct.pack('<II', o + 0x1000, hdrs)  # SizeOfImage, SizeOfHeaders
k[opt + 68:opt + 70] = struct.pack('<H', 10)  # EFI application
k[opt + 108:opt + 112] = struct.pack('<I', 16)
table = opt + 240
for i in reversed(range(len(sizes))):  # listed in reverse file order
    t = table + 40 * (len(sizes) - 1 - i)
    k[t:t + 8] = (b'.s%d' % i).ljust(8, b'\0')
    k[t + 8:t + 24] = struct.pack('<IIII', sizes[i], 0x1000 * (i + 1), sizes[i], offs[i])
    k[t + 36:t + 40] = struct.pack('<I', 0x60000020)
# setup header, protocol 2.15, loaded high, already patched as QEMU patches it
k[0x1f1] = 1
k[0x202:0x206] = b'HdrS'
k[0x206:0x208] = struct.pack('<H', 0x20f)
k[0x210] = 0xb0
k[0x211] = 0x81
k[0x224:0x228] = struct.pack('<I', 0x20000 - 0x10000 - 0x200)
k[0x228:0x22c] = struct.pack('<I', 0x20000)
open(sys.argv[1], 'wb').write(bytes(k))
PY
	if ! osslsigncode sign -h sha384 -certs "$work/c.pem" -key "$work/k.pem" \
		-in "$work/k$seed.efi" -out "$work/s$seed.efi" >"$work/sign.log" 2>&1; then
		nok "image $seed: osslsigncode could not sign it"
		sed 's/^/#   /' "$work/sign.log"
		continue
	fi
	want=$(osslsigncode verify -in "$work/s$seed.efi" 2>/dev/null |
		awk -F': ' '/Calculated message digest/ { print tolower($2) }' | tr -d ' ')
	for img in k s; do
		got=$("$CCIMAGE" measure --mode tdx --kernel "$work/$img$seed.efi" --json |
			python3 -c 'import json,sys; print(json.load(sys.stdin)["tdvfkernel"])')
		name="image $seed ($([ $img = k ] && echo unsigned || echo signed)): tdvfkernel equals osslsigncode's digest"
		if [ -n "$want" ] && [ "$got" = "$want" ]; then ok "$name"; else
			nok "$name"
			echo "#   got  $got"
			echo "#   want $want"
		fi
	done
done
finish
