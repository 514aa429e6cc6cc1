# SPDX-License-Identifier: Apache-2.0
"""The images the VM tests boot, built with ccimage from staged trees, and the
tampered copies the fault matrix needs (a byte flipped where it matters)."""

import json
import os
import shutil
import subprocess

import vmlib

PROBE = "verified-root-probe"


def stage(dir, probe, with_init=False):
    """A minimal root tree: the test agent as kata-agent, a probe file, the API mount points;
    with_init: ccinit as /sbin/init too, for rootfs mode."""
    for d in ("usr/bin", "sbin", "etc", "proc", "sys", "dev", "run", "tmp", "var"):
        os.makedirs(os.path.join(dir, d), exist_ok=True)
    shutil.copy(os.path.join(vmlib.BUILD, "test-agent"), os.path.join(dir, "usr/bin/kata-agent"))
    if with_init:
        shutil.copy(os.path.join(vmlib.BUILD, "ccinit"), os.path.join(dir, "sbin/init"))
    with open(os.path.join(dir, "etc/probe"), "w") as f:
        f.write(probe + "\n")
    return dir


def image(work, name, probe, with_init=False, add=None):
    """Builds a verified root image (uncompressed erofs: the tests find the agent's bytes in it);
    add(tree) puts more into the staged tree first."""
    tree = stage(os.path.join(work, name + "-tree"), probe, with_init)
    if add:
        add(tree)
    out = os.path.join(work, name)
    subprocess.run([vmlib.CCIMAGE, "image", "--root", tree, "--out", out, "--compress", "none",
                    "--salt-seed", name], check=True, capture_output=True, text=True)
    with open(os.path.join(out, "image.json")) as f:
        manifest = json.load(f)
    manifest["dir"] = out
    return manifest


def path(img, key):
    return os.path.join(img["dir"], img[key]["file"])


def flipped_copy(src, dst, offset):
    shutil.copy(src, dst)
    with open(dst, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)
        f.seek(offset)
        f.write(bytes([byte[0] ^ 0x01]))
    return dst


def agent_offset(img):
    """Where the agent's own bytes sit in the disk (its report marker, in p1's erofs)."""
    with open(path(img, "disk"), "rb") as f:
        data = f.read()
    offset = data.find(b"CCINIT-AGENT-REPORT-BEGIN")
    assert offset > 0, "agent bytes not found in the image"
    return offset


def hash_offset(img):
    """The first byte of the hash partition: the tree's top block."""
    p2 = [p for p in img["disk"]["partitions"] if p["number"] == 2][0]
    return p2["start_lba"] * 512


def scratch(work, name, size=64 << 20):
    p = os.path.join(work, name)
    with open(p, "wb") as f:
        f.truncate(size)
    return p
