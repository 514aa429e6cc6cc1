#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make demo: build a verified root image and its initramfs with ccimage, boot
them in QEMU, and show the boot: ccinit's steps with timings, then the report
of the agent it handed off to."""

import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import images  # noqa: E402
import vmlib  # noqa: E402


def main():
    work = os.path.join(vmlib.BUILD, "demo")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    print("== building the demo image with ccimage")
    vmlinuz, kroot, kver = vmlib.kernel()
    tree = images.stage(os.path.join(work, "tree"), images.PROBE)
    subprocess.run([vmlib.CCIMAGE, "image", "--root", tree, "--out", os.path.join(work, "image"),
                    "--salt-seed", "demo"], check=True)
    with open(os.path.join(work, "image", "image.json")) as f:
        img = json.load(f)
    img["dir"] = os.path.join(work, "image")
    listing = vmlib.mke2fs_list(work)
    initrd = vmlib.initramfs(os.path.join(work, "initramfs.cpio"),
                             os.path.join(vmlib.BUILD, "ccinit"), lists=[listing],
                             profile="storage", kernel_root=kroot, kver=kver)
    scratch = images.scratch(work, "scratch.img", 256 << 20)
    append = (img["cmdline"] + " ccinit.scratch=serial:scratch ccinit.log=info"
              " testagent.read=/etc/probe")
    print(f"   kernel   {vmlinuz}\n   initrd   {initrd} ({os.path.getsize(initrd)} bytes)")
    print(f"   root     {images.path(img, 'disk')} (erofs + dm-verity, Kata layout)")
    print(f"   scratch  {scratch} (encrypted at boot with a fresh key)")
    print(f"   cmdline  {append}\n")
    print("== booting (QEMU, TCG)")
    b = vmlib.boot(vmlinuz, initrd, append,
                   [(images.path(img, "disk"), None, True), (scratch, "scratch", False)])
    for line in b.ccinit_lines():
        print("   ccinit: " + line)
    report = b.report()
    if report is None:
        print("\nno agent report: the boot failed. Transcript tail:")
        print("\n".join(b.transcript.splitlines()[-30:]))
        return 1
    print("\n== the agent's report (it runs as PID %d)" % report["pid"])
    for key in ("pid", "oom_score_adj", "modules_disabled", "environ", "fds", "probe"):
        print(f"   {key:<17} {json.dumps(report[key])}")
    print(f"   {'rlimit nofile':<17} {report['rlimits']['nofile']}")
    print("   mounts:")
    for m in report["mounts"]:
        print(f"     {m['target']:<22} {m['fstype']:<9} {m['source']:<10} {m['options']}")
    print("   device-mapper:")
    for d in report["dm"]:
        print(f"     {d['dev']:<6} {d['name']:<16} {d['uuid']} ro={d['ro']}")
    kernel_ms, init_ms = b.trace()
    print(f"\n== timings: kernel start to /init {kernel_ms:.0f} ms, /init to agent {init_ms:.0f} ms,"
          f" whole boot to power-off {b.seconds:.1f} s (TCG)")
    print("   powered off cleanly" if b.powered_off else "   did NOT power off cleanly")
    return 0 if b.powered_off else 1


if __name__ == "__main__":
    sys.exit(main())
