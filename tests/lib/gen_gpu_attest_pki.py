#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Makes the test PKI of tests/fixtures/gpu-attest-test/ (run by hand, output committed).

NVIDIA's sample report (tests/fixtures/nvidia-gpu/) can only show a good
chain; the failures the gate must catch need chains we sign ourselves: a
P-384 root that is not NVIDIA's and a chain shaped as NVIDIA's GH100 one
(five certificates, leaf first: "GH100 A01 GSP FMC LF", "GH100 A01 GSP BROM",
a provisioner ICA, an identity CA, the root), the leaf carrying the same FWID
extension as the GH100 leaf; the same chain with its provisioner ICA already
expired; chains of four and six certificates and one of five that is not a
single path (a stray CA in it), each a valid path to the root; an NVSwitch-
shaped chain ("LS_10 A01 FSP FMC LF" under "LS_10 A01 FSP BROM", as NVIDIA's
published LS10 chain) under the same identity CA; and NVIDIA's sample report
re-signed by our GPU leaf and by our switch leaf (the signed bytes are
unchanged, so the nonce and claims stay those of the real report).
"""
import datetime
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.x509.oid import NameOID

out = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/gpu-attest-test"
report = bytes.fromhex(open("tests/fixtures/nvidia-gpu/hopperAttestationReport.txt").read().strip())
nv_leaf = x509.load_pem_x509_certificate(
    open("tests/fixtures/nvidia-gpu/hopperCertChain.txt", "rb").read())
FWID_OID = x509.ObjectIdentifier("2.23.133.5.4.1")
fwid_ext = nv_leaf.extensions.get_extension_for_oid(FWID_OID).value.value

BEGIN = datetime.datetime(2020, 1, 1)
FOREVER = datetime.datetime(9999, 12, 31, 23, 59, 59)


def name(cn):
    """NVIDIA's device names (the GPU rule reads common names), O= ours."""
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ccinit tests")])


def cert(subject, key, issuer, issuer_key, ca, not_after, extra=()):
    b = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(BEGIN).not_valid_after(not_after)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
         .add_extension(x509.KeyUsage(digital_signature=not ca, key_cert_sign=ca, crl_sign=ca,
                                      content_commitment=False, key_encipherment=False,
                                      data_encipherment=False, key_agreement=False,
                                      encipher_only=False, decipher_only=False), critical=True))
    for e in extra:
        b = b.add_extension(e, critical=False)
    return b.sign(issuer_key, hashes.SHA384())


k_root, k_id, k_ica, k_brom, k_leaf, k_extra, k_swbrom, k_swleaf, k_swica = (
    ec.generate_private_key(ec.SECP384R1()) for _ in range(9))
ROOT, ID, ICA = "ccinit test root", "ccinit test GH100 Identity", "ccinit test GH100 Provisioner ICA"
BROM, LEAF = "GH100 A01 GSP BROM", "GH100 A01 GSP FMC LF"
fwid = [x509.UnrecognizedExtension(FWID_OID, fwid_ext)]

root = cert(ROOT, k_root, ROOT, k_root, True, FOREVER)
ident = cert(ID, k_id, ROOT, k_root, True, FOREVER)
ica = cert(ICA, k_ica, ID, k_id, True, FOREVER)
ica_expired = cert(ICA, k_ica, ID, k_id, True, datetime.datetime(2021, 1, 1))
brom = cert(BROM, k_brom, ICA, k_ica, True, FOREVER)
leaf = cert(LEAF, k_leaf, BROM, k_brom, False, FOREVER, fwid)
# Four: the provisioner ICA issued by the root itself.
ica_by_root = cert(ICA, k_ica, ROOT, k_root, True, FOREVER)
# Six: one more CA between the identity CA and the root.
extra = cert("ccinit test extra CA", k_extra, ROOT, k_root, True, FOREVER)
ident_by_extra = cert(ID, k_id, "ccinit test extra CA", k_extra, True, FOREVER)
# An NVSwitch's shape: its own BROM and provisioner ICA under the GPUs' identity CA.
sw_ica = cert("ccinit test LS_10 Provisioner ICA", k_swica, ID, k_id, True, FOREVER)
sw_brom = cert("LS_10 A01 FSP BROM", k_swbrom, "ccinit test LS_10 Provisioner ICA", k_swica, True,
               FOREVER)
sw_leaf = cert("LS_10 A01 FSP FMC LF", k_swleaf, "LS_10 A01 FSP BROM", k_swbrom, False, FOREVER,
               fwid)


def pem(*certs):
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def resign(key):
    r, s = utils.decode_dss_signature(key.sign(report[:-96], ec.ECDSA(hashes.SHA384())))
    return (report[:-96] + r.to_bytes(48, "big") + s.to_bytes(48, "big")).hex()


open(f"{out}/root.pem", "wb").write(pem(root))
open(f"{out}/chain.pem", "wb").write(pem(leaf, brom, ica, ident, root))
open(f"{out}/chain-expired.pem", "wb").write(pem(leaf, brom, ica_expired, ident, root))
open(f"{out}/chain-4.pem", "wb").write(pem(leaf, brom, ica_by_root, root))
open(f"{out}/chain-6.pem", "wb").write(pem(leaf, brom, ica, ident_by_extra, extra, root))
open(f"{out}/chain-stray.pem", "wb").write(pem(leaf, brom, ica_by_root, ident, root))
open(f"{out}/chain-switch.pem", "wb").write(pem(sw_leaf, sw_brom, sw_ica, ident, root))
open(f"{out}/report.hex", "w").write(resign(k_leaf))
open(f"{out}/report-switch.hex", "w").write(resign(k_swleaf))
