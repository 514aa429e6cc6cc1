#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Kernel start to agent: the kernel `ccimage kernel build` makes (everything
the storage path needs built in, DM_INIT) against Debian's cloud kernel with
the busybox baseline init (tests/vm/baseline.py), all booted in the same
run, the same way (QEMU TCG, same image and disks). Kernel start to agent is
the agent's first CLOCK_BOOTTIME reading; /init to agent starts at the
kernel's "Run ... as init process" stamp. Rows: the baseline; ccinit on
Debian's kernel; ccinit on the built kernel with its initramfs; and the
built kernel in rootfs mode, with no initramfs (the kernel builds the verity
root from dm-mod.create= and runs ccinit from it). Goal: the built kernel,
kernel start to agent, at most 0.25 of the baseline. Prints medians of BOOTS
boots (default 5)."""

import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vm"))
import baseline  # noqa: E402
import images  # noqa: E402
import kernel_built  # noqa: E402
import vmlib  # noqa: E402


def times_ms(b):
    """(kernel start to agent, init to agent) in ms, or None when the agent did not report.
    Init starts at the kernel's "Run ... as init process" stamp; the built kernel prints no
    timestamps (no PRINTK_TIME), and there ccinit's own trace says when it started."""
    m = re.search(r"\[\s*([0-9.]+)\] Run (?:/init|/sbin/init) as init process", b.transcript)
    r = b.report()
    start = float(m.group(1)) * 1000 if m else (b.trace() or (None,))[0]
    if start is None or not r:
        return None
    agent = r["boottime_ns"] / 1e6
    return agent, agent - start


def main():
    boots = int(os.environ.get("BOOTS", "5"))
    work = vmlib.tempdir()
    deb_vmlinuz, deb_root, deb_kver = vmlib.kernel()
    our_vmlinuz, our_root, our_kver = kernel_built.built_kernel()
    img = images.image(work, "bench", images.PROBE, with_init=True)
    disk = images.path(img, "disk")
    mke2fs = vmlib.mke2fs_list(work)
    init = os.path.join(vmlib.BUILD, "ccinit")
    base = baseline.initramfs(os.path.join(work, "baseline.cpio"),
                              baseline.boot_script(img["kata_verity_params"], baseline.modules()),
                              deb_root, deb_kver)
    deb_ccinit = vmlib.initramfs(os.path.join(work, "deb.cpio"), init, lists=[mke2fs],
                                 profile="storage", kernel_root=deb_root, kver=deb_kver)
    our_ccinit = vmlib.initramfs(os.path.join(work, "ours.cpio"), init, lists=[mke2fs],
                                 profile="storage", kernel_root=our_root, kver=our_kver)
    ccinit_append = img["cmdline"] + " ccinit.scratch=/dev/vdb ccinit.log=info"
    rootfs_append = ("ccinit.log=info ccinit.root.verity=" + img["kata_verity_params"] + " "
                     + img["dm_mod_create"])
    rows = [
        ("baseline: Debian's kernel, busybox sh + modprobe, veritysetup, cryptsetup, mke2fs",
         deb_vmlinuz, base, "", True),
        ("ccinit on Debian's kernel (modules from the initramfs)", deb_vmlinuz, deb_ccinit,
         ccinit_append, True),
        ("ccinit on the built kernel (storage built in)", our_vmlinuz, our_ccinit, ccinit_append,
         True),
        ("the built kernel in rootfs mode: no initramfs, dm-init builds /", our_vmlinuz, None,
         rootfs_append, False),
    ]
    runs = {name: [] for name, *_ in rows}
    for i in range(boots):
        for name, vmlinuz, initrd, append, scratch in rows:
            disks = [(disk, None, True)]
            if scratch:
                disks.append((images.scratch(work, f"scratch-{len(runs[name])}-{i}.img"), None,
                               False))
            b = vmlib.boot(vmlinuz, initrd, append, disks)
            t = times_ms(b)
            if t is None:
                print(f"{name}: boot {i} failed; transcript tail:\n"
                      + "\n".join(b.transcript.splitlines()[-15:]))
                return 1
            runs[name].append(t)
    base_total = statistics.median(t[0] for t in runs[rows[0][0]])
    print(f"### Kernel start to agent (QEMU TCG, median of {boots}; Debian {deb_kver}, built "
          f"{our_kver})\n")
    print("| kernel and init | kernel start to agent (ms) | /init to agent (ms) | vmlinuz (KiB) "
          "| initramfs (KiB) | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, vmlinuz, initrd, _, _ in rows:
        total = statistics.median(t[0] for t in runs[name])
        init_ms = statistics.median(t[1] for t in runs[name])
        size = f"{os.path.getsize(initrd) / 1024:.0f}" if initrd else "none"
        print(f"| {name} | {total:.0f} | {init_ms:.0f} | {os.path.getsize(vmlinuz) / 1024:.0f} "
              f"| {size} | {total / base_total:.2f} |")
    print("\nGoal: the built kernel, kernel start to agent, at most 0.25 of the baseline.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
