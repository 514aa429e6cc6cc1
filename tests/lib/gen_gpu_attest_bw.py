#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Makes the Blackwell part of tests/fixtures/gpu-attest-test/ (run by hand, output committed).

NVIDIA's GB100 sample (tests/fixtures/nvidia-gpu/blackwell*) shows a good leaf;
a mutated copy of it no longer chains, so the gate would refuse it at the
chain before the FWID check is reached. Here the leaves are ours and signed
properly, so the whole gate must refuse them by their FWID: a P-384 root that
is not NVIDIA's, the three CAs of NVIDIA's GB100 chain under it (identity CA,
provisioner ICA, "GB100 A01 GSP BROM"), so the chains have NVIDIA's five
certificates, and "GB100 A01 GSP FMC LF" leaves carrying the GB100 leaf's
2.23.133.5.4.1.1 DiceTcbInfo as published, with its first FWID's digest
flipped, without its fwids field, and with its first FWID named SHA-256.
The GB100 report is re-signed by our leaf as published (the signed bytes are
unchanged), and once more without its FWID opaque field, as a driver of the
535 branch would send it.

Written from the DER layout in init/gpu/attestation.md, section 2; the
file names say what each is. Needs python3-cryptography.
"""
import datetime
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.x509.oid import NameOID

out = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/gpu-attest-test"
nv = "tests/fixtures/nvidia-gpu/"
report = bytes.fromhex(open(nv + "blackwellAttestationReport.txt").read().strip())
nv_leaf = x509.load_pem_x509_certificate(open(nv + "blackwellCertChain.txt", "rb").read())
TCBINFO = x509.ObjectIdentifier("2.23.133.5.4.1.1")
tcbinfo = nv_leaf.extensions.get_extension_for_oid(TCBINFO).value.value

BEGIN = datetime.datetime(2020, 1, 1)
FOREVER = datetime.datetime(9999, 12, 31, 23, 59, 59)
SHA384_OID = bytes.fromhex("0609608648016503040202")


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ccinit tests")])


def cert(subject, key, issuer, issuer_key, ca, extra=None):
    b = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(BEGIN).not_valid_after(FOREVER)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
         .add_extension(x509.KeyUsage(digital_signature=not ca, key_cert_sign=ca, crl_sign=ca,
                                      content_commitment=False, key_encipherment=False,
                                      data_encipherment=False, key_agreement=False,
                                      encipher_only=False, decipher_only=False), critical=True))
    if extra is not None:
        b = b.add_extension(x509.UnrecognizedExtension(TCBINFO, extra), critical=False)
    return b.sign(issuer_key, hashes.SHA384())


def pem(*certs):
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def sign(key, body):
    r, s = utils.decode_dss_signature(key.sign(body, ec.ECDSA(hashes.SHA384())))
    return body + r.to_bytes(48, "big") + s.to_bytes(48, "big")


def without_fwid(rep):
    """The report less its FWID opaque field (type 20), the opaque length made to fit."""
    l1 = int.from_bytes(rep[42:45], "little")
    at = 77 + l1
    l2 = int.from_bytes(rep[at:at + 2], "little")
    opaque, kept, i = rep[at + 2:at + 2 + l2], b"", 0
    while i < len(opaque):
        kind = int.from_bytes(opaque[i:i + 2], "little")
        size = int.from_bytes(opaque[i + 2:i + 4], "little")
        if kind != 20:
            kept += opaque[i:i + 4 + size]
        i += 4 + size
    assert len(kept) == l2 - 52, "the sample's FWID field is 4 + 48 bytes"
    return rep[:at] + len(kept).to_bytes(2, "little") + kept


# The first FWID: [6] fwids, its first SEQUENCE, then sha384's OID and the digest.
first = tcbinfo.index(SHA384_OID)
assert tcbinfo[first - 4] == 0xa6 and tcbinfo[first + 11:first + 13] == b"\x04\x30"
flipped = bytearray(tcbinfo)
flipped[first + 13 + 20] ^= 0x01
no_fwids = bytearray(tcbinfo)
no_fwids[first - 4] = 0xaa  # [10], a field the TcbInfo does not define
sha256 = bytearray(tcbinfo)
sha256[first + 10] = 0x01  # 2.16.840.1.101.3.4.2.1

keys = [ec.generate_private_key(ec.SECP384R1()) for _ in range(5)]
ROOT, ID, ICA = "ccinit test root B", "ccinit test GB100 Identity", "ccinit test GB100 Provisioner ICA"
BROM = "GB100 A01 GSP BROM"
root = cert(ROOT, keys[0], ROOT, keys[0], True)
ident = cert(ID, keys[1], ROOT, keys[0], True)
ica = cert(ICA, keys[2], ID, keys[1], True)
brom = cert(BROM, keys[3], ICA, keys[2], True)
cas = (brom, ica, ident, root)


def leaf(ext):
    return cert("GB100 A01 GSP FMC LF", keys[4], BROM, keys[3], False, ext)


open(f"{out}/bw-root.pem", "wb").write(pem(root))
open(f"{out}/bw-chain.pem", "wb").write(pem(leaf(tcbinfo), *cas))
open(f"{out}/bw-chain-fwid-flipped.pem", "wb").write(pem(leaf(bytes(flipped)), *cas))
open(f"{out}/bw-chain-no-fwids.pem", "wb").write(pem(leaf(bytes(no_fwids)), *cas))
open(f"{out}/bw-chain-sha256.pem", "wb").write(pem(leaf(bytes(sha256)), *cas))
open(f"{out}/bw-report.hex", "w").write(sign(keys[4], report[:-96]).hex())
open(f"{out}/bw-report-no-fwid.hex", "w").write(sign(keys[4], without_fwid(report[:-96])).hex())
