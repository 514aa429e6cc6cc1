# SPDX-License-Identifier: Apache-2.0
"""Kernel module signatures, as the kernel reads them (Linux's scripts/sign-file and
kernel/module/signing.c): a PKCS#7 (CMS) detached signature appended to the module, then
struct module_signature (12 bytes: algo, hash, id_type = 2 for PKCS#7, signer_len,
key_id_len, 3 bytes of padding, the signature's length big-endian), then the magic
string. The VM tests use this to make modules the kernel must refuse: unsigned, signed by
a key the kernel does not hold, and changed after signing."""

import os
import subprocess

MAGIC = b"~Module signature appended~\n"
PKEY_ID_PKCS7 = 2


def split(ko):
    """(module body, signature) of a signed module's bytes."""
    if not ko.endswith(MAGIC):
        raise ValueError("the module is not signed")
    info = ko[-len(MAGIC) - 12:-len(MAGIC)]
    if info[2] != PKEY_ID_PKCS7:
        raise ValueError(f"signature id type {info[2]}, want PKCS#7")
    sig_len = int.from_bytes(info[8:12], "big")
    end = len(ko) - len(MAGIC) - 12
    return ko[:end - sig_len], ko[end - sig_len:end]


def append(body, sig):
    info = bytes([0, 0, PKEY_ID_PKCS7, 0, 0, 0, 0, 0]) + len(sig).to_bytes(4, "big")
    return body + sig + info + MAGIC


def sign_with_new_key(body, work):
    """body signed as sign-file signs it (CMS, detached, no attributes, SHA-512), with a
    key and certificate made here, which no kernel trusts."""
    key, cert, data = (os.path.join(work, n) for n in ("other.key", "other.crt", "module.body"))
    if not os.path.exists(key):
        subprocess.run(["openssl", "req", "-new", "-x509", "-nodes", "-newkey", "rsa:2048",
                        "-keyout", key, "-out", cert, "-subj", "/CN=not the kernel's key",
                        "-days", "1"], check=True, capture_output=True)
    with open(data, "wb") as f:
        f.write(body)
    sig = subprocess.run(["openssl", "cms", "-sign", "-binary", "-noattr", "-nosmimecap",
                          "-nocerts", "-outform", "DER", "-md", "sha512", "-signer", cert,
                          "-inkey", key, "-in", data], check=True, capture_output=True).stdout
    return append(body, sig)


def flipped(ko, offset=None):
    """The signed module with one byte of its body changed: the signature no longer holds."""
    body, sig = split(ko)
    i = len(body) // 2 if offset is None else offset
    return append(body[:i] + bytes([body[i] ^ 0x01]) + body[i + 1:], sig)
