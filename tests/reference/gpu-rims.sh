#!/bin/bash
# Reference test: `ccimage gpu rims` on NVIDIA's published RIMs and on RIMs
# re-signed under a test root (tests/fixtures/nvidia-rim/, gpu-rim-test/;
# tests/fixtures/README.md says what each is):
#  1. NVIDIA's RIMs verify against NVIDIA's root with --accept-expired, and
#     each table's m lines are the RIM's active Resources as python3's
#     xml.etree reads them (not our code), its rim line the kind, model and
#     version of NVIDIA's name and the file's SHA-256;
#  2. without --accept-expired a RIM whose signer expired is refused, naming
#     the certificate and its date; a wrong signature, a chain that does not
#     reach the root, and an edit after signing are refused with or without it;
#  3. the test RIMs verify with --root (valid until 2120, not expired) and not
#     against the built-in NVIDIA root, even when the host trusts the test
#     root (xmlsec's own store takes the host's CAs); the expired test signer is refused
#     without --accept-expired and marked expired with it;
#  4. --driver-version, a name that disagrees with the content, two RIMs of one
#     kind, model and version, and a driver and a VBIOS RIM measuring one index
#     are refused; a refused run leaves --out as it was;
#  5. the golden tables in gpu-rim-test/ are written again byte for byte;
#  6. the built-in root is NVIDIA's fixture, by its SHA-256;
#  7. the xmlsec1 program, an independent verifier, gives every fixture the
#     verdict ccimage gives (NVIDIA's at 2025-03-01, ours at 2020-06-01, when
#     every chain that ccimage accepts with --accept-expired was valid).
TAP_PREFIX="gpu rims: "
. "$(dirname "$0")/../lib/tap.sh"
NR=$ROOT/tests/fixtures/nvidia-rim
TR=$ROOT/tests/fixtures/gpu-rim-test
D=NV_GPU_DRIVER_GH100_535.86.09
V=NV_GPU_VBIOS_1010_0200_882_96005E0001

need "$CCIMAGE"
command -v xmlsec1 >/dev/null || {
	nok "the xmlsec1 program is missing (tests/host-deps.sh installs it)"
	finish
}
workdir
cd "$work" || exit 1

# The active Measurement Resources of a RIM as the golden table writes them, read by xml.etree.
active() {
	python3 - "$1" <<'PY'
import sys
import xml.etree.ElementTree as ET

SWID = "{http://standards.iso.org/iso/19770/-2/2015/schema.xsd}"
HASH = "{http://www.w3.org/2001/04/xmlenc#sha384}Hash%d"
lines = []
for r in ET.parse(sys.argv[1]).getroot().iter(SWID + "Resource"):
    if r.get("type") != "Measurement" or r.get("active", "").lower() != "true":
        continue
    alts = [r.get(HASH % i).lower() for i in range(int(r.get("alternatives")))]
    lines.append((int(r.get("index")), "m %s %s %s" % (r.get("index"), r.get("size"), ",".join(alts))))
print("\n".join(line for _, line in sorted(lines)))
PY
}

# 1. NVIDIA's RIMs, and the rim line from NVIDIA's name.
for spec in "1010_0200_882_96005E0001_PROD.swidtag vbios 1010_0200_882 96.00.5E.00.01 expired" \
	"1010_0205_862_96005E0004_PROD.swidtag vbios 1010_0205_862 96.00.5E.00.04 expired" \
	"$V""_measurement_mismatch.xml vbios 1010_0200_882 96.00.5E.00.01 expired" \
	"NV_GPU_DRIVER_GH100_550.144.03.xml driver GH100 550.144.03 -"; do
	set -- $spec
	if ! "$CCIMAGE" gpu rims --accept-expired "$NR/$1" >t 2>err.log; then
		nok "NVIDIA's $1 verifies with --accept-expired"
		sed 's/^/#   /' err.log
		continue
	fi
	check_eq "NVIDIA's $1: the m lines are its active Resources" "$(grep '^m ' t)" "$(active "$NR/$1")"
	sum=$(sha256sum <"$NR/$1" | cut -d' ' -f1)
	# The 550.144.03 signer's notAfter is 2026-12-30: whether it is marked depends on the day.
	got=$(sed -n 2p t)
	[ "$5" != - ] || got=${got% *}
	want="rim $2 $3 $4 $sum"
	[ "$5" = - ] || want="$want $5"
	check_eq "NVIDIA's $1: the rim line" "$got" "$want"
	check_eq "NVIDIA's $1: the header" "$(head -1 t)" "ccinit-gpu-golden 1"
done

# 2. Expired, wrong signature, foreign chain, edited after signing.
expect "NVIDIA's expired VBIOS RIM is refused without --accept-expired, naming the certificate" \
	1 "HCC RIM L4 Signer expired on 2025-06-22" \
	"$CCIMAGE" gpu rims "$NR/1010_0200_882_96005E0001_PROD.swidtag"
check "a refusal writes nothing to stdout" "[ ! -s out.log ]"
expect "NVIDIA's incorrect_signature RIM is refused" 1 "incorrect_signature_driver_rim.xml: Signature does not verify" \
	"$CCIMAGE" gpu rims --accept-expired "$NR/incorrect_signature_driver_rim.xml"
expect "NVIDIA's incorrect_cert_chain RIM is refused" 1 "unable to get local issuer certificate" \
	"$CCIMAGE" gpu rims --accept-expired "$NR/incorrect_cert_chain_driver_rim.xml"
expect "NVIDIA's 535.86.09 measurement_mismatch RIM (edited after signing) is refused" 1 \
	"data and digest do not match" "$CCIMAGE" gpu rims --accept-expired "$NR/${D}_measurement_mismatch.xml"
expect "the tampered test RIM is refused" 1 "${D}_tampered.xml: Signature does not verify" \
	"$CCIMAGE" gpu rims --root "$TR/root.pem" --accept-expired "$TR/${D}_tampered.xml"

# 3. The test root.
for f in $D $D"_index7_mismatch" $V $V"_collides"; do
	if "$CCIMAGE" gpu rims --root "$TR/root.pem" "$TR/$f.xml" >t 2>err.log; then
		check_eq "test $f.xml verifies with --root, valid" "$(sed -n 2p t | cut -d' ' -f6)" valid
		check_eq "test $f.xml: the m lines are its active Resources" "$(grep '^m ' t)" "$(active "$TR/$f.xml")"
	else
		nok "test $f.xml verifies with --root"
		sed 's/^/#   /' err.log
	fi
	expect "test $f.xml is refused against NVIDIA's root" 1 "self-signed certificate in certificate chain" \
		"$CCIMAGE" gpu rims "$TR/$f.xml"
done
# xmlsec's OpenSSL store also trusts the host's CAs (SSL_CERT_FILE names them here): the
# xmlsec1 program then accepts a chain to the test root under NVIDIA's; ccimage does not.
SSL_CERT_FILE=$TR/root.pem xmlsec1 --verify --trusted-pem "$NR/verifier_RIM_root.pem" \
	--enabled-key-data x509 "$TR/$D.xml" >/dev/null 2>&1 && echo "# xmlsec1 trusts SSL_CERT_FILE's roots"
expect "a chain to a root the host trusts, not the pinned one, is refused" 1 \
	"$D.xml: signing certificate /CN=ccinit test RIM signer/O=ccinit tests/C=US: self-signed certificate in certificate chain" \
	env SSL_CERT_FILE="$TR/root.pem" "$CCIMAGE" gpu rims "$TR/$D.xml"
expect "the expired test signer is refused without --accept-expired" 1 \
	"CN=ccinit test RIM signer, expired/O=ccinit tests/C=US expired on 2021-01-01" \
	"$CCIMAGE" gpu rims --root "$TR/root.pem" "$TR/${D}_expired_signer.xml"
"$CCIMAGE" gpu rims --root "$TR/root.pem" --accept-expired "$TR/${D}_expired_signer.xml" >t 2>err.log
check "the expired test signer passes with --accept-expired, marked expired" \
	"[ \$? -eq 0 ] && sed -n 2p t | grep -q ' expired\$'"

# 4. What the command itself refuses.
expect "a driver RIM not for --driver-version is refused" 1 "$D.xml: driver RIM for 535.86.09, not the image's driver 550.144.03" \
	"$CCIMAGE" gpu rims --root "$TR/root.pem" --driver-version 550.144.03 "$TR/$D.xml"
cp "$TR/$D.xml" NV_GPU_DRIVER_GH100_535.86.10.xml
expect "a driver RIM named for another version is refused, naming both" 3 \
	"the name's version 535.86.10 is not the Meta colloquialVersion 535.86.09" \
	"$CCIMAGE" gpu rims --root "$TR/root.pem" NV_GPU_DRIVER_GH100_535.86.10.xml
cp "$TR/$D.xml" NV_GPU_DRIVER_GB100_535.86.09.xml
expect "a driver RIM named for another chip is refused, naming both" 3 \
	"the name's chip GB100 is not the Meta product GH100" \
	"$CCIMAGE" gpu rims --root "$TR/root.pem" NV_GPU_DRIVER_GB100_535.86.09.xml
cp "$TR/$V.xml" NV_GPU_VBIOS_1010_0200_882_96005E0002.xml
expect "a VBIOS RIM named for another version is refused, naming both" 3 \
	"the name's version 96005E0002 is not the Meta colloquialVersion 96.00.5E.00.01" \
	"$CCIMAGE" gpu rims --root "$TR/root.pem" NV_GPU_VBIOS_1010_0200_882_96005E0002.xml
cp "$TR/$D.xml" driver.xml
expect "a file not named as NVIDIA names RIMs is refused" 3 "driver.xml: file name is not one of NVIDIA's RIM names" \
	"$CCIMAGE" gpu rims --root "$TR/root.pem" driver.xml
expect "two RIMs of one kind, model and version are refused" 3 "both the driver RIM of GH100 535.86.09" \
	"$CCIMAGE" gpu rims --root "$TR/root.pem" "$TR/$D.xml" "$TR/${D}_index7_mismatch.xml"
expect "a VBIOS RIM measuring a driver index is refused" 3 "both measure index 7" \
	"$CCIMAGE" gpu rims --root "$TR/root.pem" "$TR/$D.xml" "$TR/${V}_collides.xml"
echo before >kept.golden
"$CCIMAGE" gpu rims --root "$TR/root.pem" --out kept.golden "$TR/$D.xml" "$TR/${D}_tampered.xml" 2>/dev/null
check "a refused run leaves --out as it was" "[ \$? -eq 1 ] && [ \"\$(cat kept.golden)\" = before ]"
"$CCIMAGE" gpu rims --root "$TR/root.pem" --out new.golden "$TR/${D}_tampered.xml" 2>/dev/null
check "a refused run writes no --out" "[ \$? -eq 1 ] && [ ! -e new.golden ] && [ -z \"\$(ls -A | grep -v -e '\\.log\$' -e '\\.xml\$' -e '^t\$' -e kept.golden)\" ]"
mkfifo fifo
expect "--out onto a FIFO is refused" 3 "\-\-out fifo: a FIFO, which an output never replaces" \
	"$CCIMAGE" gpu rims --root "$TR/root.pem" --out fifo "$TR/$D.xml"
expect "--out naming a RIM it reads is refused" 3 "\-\-out" \
	"$CCIMAGE" gpu rims --root "$TR/root.pem" --out driver.xml driver.xml
expect "a RIM that is a FIFO is refused, naming it" 3 "fifo: a FIFO, not a regular file" "$CCIMAGE" gpu rims --root "$TR/root.pem" fifo
check "the FIFO is still a FIFO" "[ -p fifo ]"
expect "a --root that is not a certificate is refused, naming it" 3 "gpu-rims.sh: not an X.509 certificate" \
	"$CCIMAGE" gpu rims --root "$ROOT/tests/reference/gpu-rims.sh" "$TR/$D.xml"
expect "no RIM is a usage error" 2 "usage: ccimage gpu rims" "$CCIMAGE" gpu rims

# 5. The committed golden tables, again.
regen() {
	local name=$1
	shift
	"$CCIMAGE" gpu rims --root "$TR/root.pem" --out "$name" "$@" 2>err.log &&
		cmp -s "$name" "$TR/$name"
}
check "$D.golden is written again byte for byte" "regen $D.golden '$TR/$D.xml'"
check "${D}_index7_mismatch.golden is written again byte for byte" \
	"regen ${D}_index7_mismatch.golden '$TR/${D}_index7_mismatch.xml'"
check "${D}_expired_signer.golden is written again byte for byte (--accept-expired)" \
	"regen ${D}_expired_signer.golden --accept-expired '$TR/${D}_expired_signer.xml'"
check "$V.golden is written again byte for byte" "regen $V.golden '$TR/$V.xml'"
check "hopper535.golden (driver and VBIOS, --driver-version 535.86.09) is written again byte for byte" \
	"regen hopper535.golden --driver-version 535.86.09 '$TR/$D.xml' '$TR/$V.xml'"
# Tables of NVIDIA's own VBIOS RIMs, under the built-in root (test_gpu_rim_compare reads them).
for rim in 1010_0200_882_96005E0001_PROD.swidtag NV_GPU_VBIOS_1010_0200_882_96005E0001_measurement_mismatch.xml \
	1010_0205_862_96005E0004_PROD.swidtag; do
	check "nvidia-${rim%.*}.golden (NVIDIA's root, --accept-expired) is written again byte for byte" \
		"\"\$CCIMAGE\" gpu rims --accept-expired --out t.golden '$NR/$rim' 2>err.log && cmp -s t.golden '$TR/nvidia-${rim%.*}.golden'"
done
"$CCIMAGE" gpu rims --root "$TR/root.pem" --driver-version 535.86.09 "$TR/$D.xml" "$TR/$V.xml" >stdout.golden
check "stdout holds what --out holds" "cmp -s stdout.golden '$TR/hopper535.golden'"

# 6. The built-in root.
fp=$(openssl x509 -in "$NR/verifier_RIM_root.pem" -outform DER | sha256sum | cut -d' ' -f1)
check_eq "the pinned fingerprint is NVIDIA's RIM root fixture's" \
	"$(grep -A1 '^#define GPU_RIM_NVIDIA_ROOT_SHA256' "$ROOT/measurement/gpu_rim.h" | grep -oE '[0-9a-f]{64}')" "$fp"
"$CCIMAGE" gpu rims --accept-expired "$NR/1010_0200_882_96005E0001_PROD.swidtag" >builtin 2>/dev/null
"$CCIMAGE" gpu rims --accept-expired --root "$NR/verifier_RIM_root.pem" "$NR/1010_0200_882_96005E0001_PROD.swidtag" >given 2>/dev/null
check "the built-in root and --root NVIDIA's fixture give the same table" "[ -s builtin ] && cmp -s builtin given"

# 7. xmlsec1, the program, on every fixture: its verdict and ccimage's (with --accept-expired).
verdicts() {
	local root=$1 when=$2 f ours theirs
	shift 2
	for f in "$@"; do
		if [ -n "$root" ]; then
			"$CCIMAGE" gpu rims --accept-expired --root "$root" "$f" >/dev/null 2>&1 && ours=OK || ours=FAIL
			xmlsec1 --verify --trusted-pem "$root" --verification-time "$when" --enabled-key-data x509 \
				"$f" >/dev/null 2>&1 && theirs=OK || theirs=FAIL
		else
			"$CCIMAGE" gpu rims --accept-expired "$f" >/dev/null 2>&1 && ours=OK || ours=FAIL
			xmlsec1 --verify --trusted-pem "$NR/verifier_RIM_root.pem" --verification-time "$when" \
				--enabled-key-data x509 "$f" >/dev/null 2>&1 && theirs=OK || theirs=FAIL
		fi
		echo "# $(basename "$f") ${root:+(root $(basename "$(dirname "$root")")/$(basename "$root")) }ccimage $ours xmlsec1 $theirs"
		check "xmlsec1 agrees on $(basename "$f")${root:+ under the test root}" "[ $ours = $theirs ]"
	done
}
verdicts "" "2025-03-01 00:00:00" "$NR"/*.xml "$NR"/*.swidtag "$TR/$D.xml"
verdicts "$TR/root.pem" "2020-06-01 00:00:00" "$TR"/*.xml
finish
