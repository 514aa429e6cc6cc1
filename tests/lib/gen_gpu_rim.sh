#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Makes tests/fixtures/gpu-rim-test/ (run by hand from the repository root,
# output committed): RIMs shaped as NVIDIA's but signed by a test PKI, for
# what NVIDIA's published RIMs cannot show (a chain valid until 2120, values
# that match a published report, a signer that expired, an edit after
# signing, a driver and a VBIOS RIM that measure one index).
#
# The PKI is made with openssl: a P-384 root "ccinit test RIM root", a CA,
# an L3 and a signer, valid 2020-2120, as NVIDIA's RIM chains are shaped
# (signer, L3, CA, root), and a second signer that expired in 2021. The RIMs
# are NVIDIA's with their ds:Signature taken off, values changed where said,
# and signed again by the xmlsec1 program from a template (ECDSA-SHA384,
# exclusive c14n, enveloped, X509Data): the signer is independent of the
# libxmlsec1 code that verifies them in ccimage.
#
#   NV_GPU_DRIVER_GH100_535.86.09.xml         NVIDIA's 535.86.09 driver RIM with
#       every active measurement's Hash0 set to the 535.86.09 sample report's
#       block (index + 1): the report passes against it
#   ..._index7_mismatch.xml                   the same, every alternative of
#       index 7 changed: the report fails on index 7
#   ..._expired_signer.xml                    the first, signed by the expired signer
#   ..._tampered.xml                          the first, index 21's Hash0 edited after signing
#   NV_GPU_VBIOS_1010_0200_882_96005E0001.xml NVIDIA's VBIOS RIM of that board and
#       version with its active measurements set to the report's blocks
#   NV_GPU_VBIOS_..._collides.xml             the same with index 7, a driver
#       index, made active too
set -euo pipefail

out=${1:-tests/fixtures/gpu-rim-test}
report=tests/fixtures/nvidia-gpu/branches/535.86.09/report.hex
driver_rim=tests/fixtures/nvidia-rim/NV_GPU_DRIVER_GH100_535.86.09_measurement_mismatch.xml
vbios_rim=tests/fixtures/nvidia-rim/1010_0200_882_96005E0001_PROD.swidtag
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

cat >"$work/ca.cnf" <<'CNF'
[ca]
default_ca = test
[test]
dir = WORK
database = $dir/index.txt
new_certs_dir = $dir/certs
serial = $dir/serial
default_md = sha384
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
organizationName = optional
countryName = optional
[ca_ext]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[signer_ext]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
sed -i "s|WORK|$work|" "$work/ca.cnf"
mkdir "$work/certs"
: >"$work/index.txt"
echo 1000 >"$work/serial"

# cert NAME CN ISSUER EXT START END: NAME.key and NAME.pem, signed by ISSUER (self when "").
cert() {
	local name=$1 cn=$2 issuer=$3 ext=$4 start=$5 end=$6
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$work/$name.key" 2>/dev/null
	openssl req -new -key "$work/$name.key" -subj "/CN=$cn/O=ccinit tests/C=US" \
		-out "$work/$name.csr"
	if [ -z "$issuer" ]; then
		openssl ca -batch -config "$work/ca.cnf" -selfsign -keyfile "$work/$name.key" \
			-extensions "$ext" -startdate "$start" -enddate "$end" -notext \
			-in "$work/$name.csr" -out "$work/$name.pem" 2>/dev/null
	else
		openssl ca -batch -config "$work/ca.cnf" -cert "$work/$issuer.pem" \
			-keyfile "$work/$issuer.key" -extensions "$ext" -startdate "$start" \
			-enddate "$end" -notext -in "$work/$name.csr" -out "$work/$name.pem" 2>/dev/null
	fi
}
cert root "ccinit test RIM root" "" ca_ext 20200101000000Z 21200101000000Z
cert ca "ccinit test RIM CA" root ca_ext 20200101000000Z 21200101000000Z
cert l3 "ccinit test RIM L3" ca ca_ext 20200101000000Z 21200101000000Z
cert signer "ccinit test RIM signer" l3 signer_ext 20200101000000Z 21200101000000Z
cert oldsigner "ccinit test RIM signer, expired" l3 signer_ext 20200101000000Z 20210101000000Z
cp "$work/root.pem" "$out/root.pem"

# NVIDIA's RIM without its signature, active Hash0 values from the report, then the template.
python3 - "$report" "$driver_rim" "$vbios_rim" "$work" <<'PY'
import re
import sys

report, driver_rim, vbios_rim, work = sys.argv[1:]


def blocks(path):
    """The MEASUREMENTS response's blocks: {index: value bytes}."""
    b = bytes.fromhex(re.sub(r"\s", "", open(path).read()))
    r = b[37:]  # after the 37-byte SPDM 1.1 GET_MEASUREMENTS request
    length = int.from_bytes(r[5:8], "little")
    rec, off, out = r[8:8 + length], 0, {}
    while off < length:
        index, size = rec[off], int.from_bytes(rec[off + 2:off + 4], "little")
        value = rec[off + 4:off + 4 + size]
        out[index] = value[3:3 + int.from_bytes(value[1:3], "little")]
        off += 4 + size
    return out


TEMPLATE = (
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
    '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
    '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"/>'
    '<ds:Reference URI=""><ds:Transforms>'
    '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
    '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>'
    '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#sha384"/>'
    '<ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/>'
    '<ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>')

values = blocks(report)


def template(src, dst, change=None, activate=()):
    text = open(src).read()
    text = re.sub(r"<ds:Signature .*</ds:Signature>", "", text, flags=re.S)

    def resource(m):
        attrs = m.group(0)
        index = int(re.search(r' index="(\d+)"', attrs).group(1))
        if index in activate:
            attrs = attrs.replace('active="False"', 'active="True"')
        if 'active="True"' not in attrs:
            return attrs
        value = values[index + 1].hex()
        attrs = re.sub(r'ns2:Hash0="[0-9a-fA-F]*"', 'ns2:Hash0="%s"' % value, attrs)
        if change == index:  # every alternative, so that none matches
            attrs = re.sub(r'(ns2:Hash\d+=")([0-9a-f])',
                           lambda h: h.group(1) + ("0" if h.group(2) != "0" else "1"), attrs)
        return attrs

    text = re.sub(r'<ns0:Resource type="Measurement"[^>]*/>', resource, text)
    text = text.replace("</SoftwareIdentity>", TEMPLATE + "</SoftwareIdentity>")
    open(dst, "w").write(text)


template(driver_rim, work + "/driver.tmpl")
template(driver_rim, work + "/driver7.tmpl", change=7)
template(vbios_rim, work + "/vbios.tmpl")
template(vbios_rim, work + "/vbios-collides.tmpl", activate=(7,))
PY

# sign TEMPLATE SIGNER OUT: the signer's key, its chain in X509Data.
sign() {
	xmlsec1 --sign --privkey-pem "$work/$2.key,$work/$2.pem,$work/l3.pem,$work/ca.pem,$work/root.pem" \
		--verification-time "2020-06-01 00:00:00" --output "$3" "$1"
}
d=$out/NV_GPU_DRIVER_GH100_535.86.09
v=$out/NV_GPU_VBIOS_1010_0200_882_96005E0001
sign "$work/driver.tmpl" signer "$d.xml"
sign "$work/driver7.tmpl" signer "${d}_index7_mismatch.xml"
sign "$work/driver.tmpl" oldsigner "${d}_expired_signer.xml"
sign "$work/vbios.tmpl" signer "$v.xml"
sign "$work/vbios-collides.tmpl" signer "${v}_collides.xml"
# One hex digit of index 21's Hash0 edited after signing.
python3 - "$d.xml" "${d}_tampered.xml" <<'PY'
import re
import sys

text = open(sys.argv[1]).read()
m = re.search(r'index="21"[^>]*ns2:Hash0="([0-9a-f])', text)
i = m.start(1)
open(sys.argv[2], "w").write(text[:i] + ("0" if text[i] != "0" else "1") + text[i + 1:])
PY
