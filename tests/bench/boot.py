#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Boot critical path, /init to agent exec: ccinit against a baseline built in
the same run (busybox sh as /init doing the same steps with Debian's modprobe,
veritysetup, cryptsetup and mke2fs, tests/vm/baseline.py), both booted the
same way: same kernel, image, disks and QEMU. The time is measured the same
for both: from the kernel's "Run /init" stamp to the agent's first
CLOCK_BOOTTIME reading. Prints medians of BOOTS boots (default 5) and the ratio."""

import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vm"))
import baseline  # noqa: E402
import images  # noqa: E402
import vmlib  # noqa: E402


def init_to_agent_ms(b):
    m = re.search(r"\[\s*([0-9.]+)\] Run /init as init process", b.transcript)
    r = b.report()
    if not m or not r:
        return None
    return r["boottime_ns"] / 1e6 - float(m.group(1)) * 1000


def modules_ms(b):
    """The duration of ccinit's modules step in a boot's trace, or None."""
    for line in b.ccinit_lines():
        m = re.match(r"\s+[0-9.]+\s+([0-9.]+)  modules$", line)
        if m:
            return float(m.group(1))
    return None


def main():
    boots = int(os.environ.get("BOOTS", "5"))
    work = vmlib.tempdir()
    vmlinuz, kroot, kver = vmlib.kernel()
    img = images.image(work, "bench", images.PROBE)
    params = img["kata_verity_params"]
    mke2fs = vmlib.mke2fs_list(work)
    ours = vmlib.initramfs(os.path.join(work, "ccinit.cpio"), os.path.join(vmlib.BUILD, "ccinit"),
                           lists=[mke2fs], profile="storage", kernel_root=kroot, kver=kver)
    # With a kernel that ships compressed modules, also the initramfs that keeps them so
    # (the kernel decompresses each): what unpacking them on the host saves.
    shipped = vmlib.initramfs(os.path.join(work, "shipped.cpio"), os.path.join(vmlib.BUILD, "ccinit"),
                              lists=[mke2fs], profile="storage", kernel_root=kroot, kver=kver,
                              modules_compressed=True)
    if os.path.getsize(shipped) == os.path.getsize(ours):
        shipped = None
    base = baseline.initramfs(os.path.join(work, "baseline.cpio"),
                              baseline.boot_script(params, baseline.modules()), kroot, kver)
    disk = images.path(img, "disk")
    runs = {"ccinit": [], "baseline": [], "shipped": []}
    trace, modules = [], {"ccinit": [], "shipped": []}
    ccinit_append = img["cmdline"] + " ccinit.scratch=/dev/vdb ccinit.log=info"
    for i in range(boots):
        for name, initrd, append in (("ccinit", ours, ccinit_append), ("baseline", base, ""),
                                     ("shipped", shipped, ccinit_append)):
            if initrd is None:
                continue
            scratch = images.scratch(work, f"scratch-{name}-{i}.img")
            b = vmlib.boot(vmlinuz, initrd, append, [(disk, None, True), (scratch, None, False)])
            ms = init_to_agent_ms(b)
            if ms is None:
                print(f"{name} boot {i} failed; transcript tail:\n" + "\n".join(b.transcript.splitlines()[-15:]))
                return 1
            runs[name].append(ms)
            if name == "ccinit" and b.trace():
                trace.append(b.trace()[1])
                last = b
            if name in modules:
                modules[name].append(modules_ms(b))
    c, bl = statistics.median(runs["ccinit"]), statistics.median(runs["baseline"])
    size = lambda p: os.path.getsize(p) / 1024
    print(f"### Boot critical path, /init to agent (QEMU TCG, Debian {kver}, median of {boots})\n")
    print("| init | /init to agent (ms) | initramfs (KiB) | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| baseline: busybox sh + modprobe, veritysetup, cryptsetup, mke2fs | {bl:.0f} | {size(base):.0f} | 1.00 |")
    print(f"| ccinit | {c:.0f} | {size(ours):.0f} | {c / bl:.2f} |")
    if shipped:
        s = statistics.median(runs["shipped"])
        print(f"| ccinit, modules as shipped (`--modules-compressed`) | {s:.0f} | {size(shipped):.0f}"
              f" | {s / bl:.2f} |")
    steps = [line for line in last.ccinit_lines() if re.match(r"\s+[0-9.]+\s+[0-9.]+\s", line)] \
        if trace else []
    if steps:
        print(f"\nccinit's own trace, /init to hand-off: median {statistics.median(trace):.0f} ms."
              " Goal: ccinit at most 0.25 of the baseline. Where the last boot's time went"
              " (ms since kernel start, duration; nested steps indented):\n")
        print("```")
        print("\n".join(steps))
        print("```")
        if shipped and None not in modules["ccinit"] + modules["shipped"]:
            print(f"\nccinit's modules step, median: {statistics.median(modules['ccinit']):.0f} ms"
                  f" with the modules unpacked, {statistics.median(modules['shipped']):.0f} ms"
                  " as shipped.")
    else:
        print("\nccinit's boot trace did not reach the console in any boot (ccinit.log=info"
              " prints it), so the table above is all this run can say.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
