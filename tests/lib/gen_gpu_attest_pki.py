#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Makes the test PKI of tests/fixtures/gpu-attest-test/ (run by hand, output committed).

NVIDIA's sample report (tests/fixtures/nvidia-gpu/) can only show a good
chain; the failures the gate must catch need chains we sign ourselves: a
P-384 root that is not NVIDIA's, an intermediate, a leaf carrying the same
FWID extension as the GH100 leaf, the same intermediate once more already
expired, and NVIDIA's sample report re-signed by our leaf (the signed bytes
are unchanged, so the nonce and claims stay those of the real report).
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


keys = [ec.generate_private_key(ec.SECP384R1()) for _ in range(3)]
root = cert("ccinit test root", keys[0], "ccinit test root", keys[0], True, FOREVER)
ica = cert("ccinit test ICA", keys[1], "ccinit test root", keys[0], True, FOREVER)
ica_expired = cert("ccinit test ICA", keys[1], "ccinit test root", keys[0], True,
                   datetime.datetime(2021, 1, 1))
leaf = cert("ccinit test GPU leaf", keys[2], "ccinit test ICA", keys[1], False, FOREVER,
            [x509.UnrecognizedExtension(FWID_OID, fwid_ext)])


def pem(*certs):
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


open(f"{out}/root.pem", "wb").write(pem(root))
open(f"{out}/chain.pem", "wb").write(pem(leaf, ica, root))
open(f"{out}/chain-expired.pem", "wb").write(pem(leaf, ica_expired, root))
der = keys[2].sign(report[:-96], ec.ECDSA(hashes.SHA384()))
r, s = utils.decode_dss_signature(der)
signed = report[:-96] + r.to_bytes(48, "big") + s.to_bytes(48, "big")
open(f"{out}/report.hex", "w").write(signed.hex())
