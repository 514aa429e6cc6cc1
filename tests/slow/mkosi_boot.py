#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Boots an image built from a mkosi tree (tests/slow/mkosi.sh) under QEMU with
ccinit: the verified root must come up and the test agent, copied into the
tree as kata-agent, must read the tree's /etc/debian_version. Prints one TAP
line numbered N (argv[2]); exits 1 when it fails.

usage: mkosi_boot.py IMAGE_DIR N"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vm"))
import vmlib  # noqa: E402


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    vmlinuz, kroot, kver = vmlib.kernel()
    mke2fs = vmlib.mke2fs_list(out)
    initrd = vmlib.initramfs(os.path.join(out, "initramfs.cpio"),
                             os.path.join(vmlib.BUILD, "ccinit"), lists=[mke2fs],
                             profile="storage", kernel_root=kroot, kver=kver)
    with open(os.path.join(out, "cmdline.txt")) as f:
        root = f.read().strip()
    b = vmlib.boot(vmlinuz, initrd,
                   f"{root} ccinit.scratch=tmpfs ccinit.log=info testagent.read=/etc/debian_version",
                   [(os.path.join(out, "root.img"), None, True)], timeout=180)
    r = b.report()
    probe = (r or {}).get("probe") or {}
    result = probe.get("result")
    if r and isinstance(result, str) and result.startswith("12."):
        print(f"ok {n} - the mkosi image boots under ccinit; the agent reads "
              f"debian_version {result.strip()} ({b.seconds:.1f} s)")
        return 0
    print(f"not ok {n} - the mkosi image boots under ccinit and the agent reads debian_version")
    print(f"#   report: {r and r.get('probe')}, powered off: {b.powered_off}")
    for line in b.ccinit_lines()[-5:]:
        print(f"#   {line}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
