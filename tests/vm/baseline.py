# SPDX-License-Identifier: Apache-2.0
"""An initramfs made the conventional way, from Debian's own tools: busybox sh
as /init, with kmod's modprobe, veritysetup, cryptsetup and mke2fs and every
shared library they need. It is the baseline of the boot benchmark (the same
steps ccinit takes) and, in the VM tests, stands in for the kernel's dm-init
(which Debian's kernel lacks) as the stage that builds a verity root before
ccinit runs from it in rootfs mode."""

import os
import re
import subprocess

import vmlib

TOOLS = {"/sbin/modprobe": "/bin/kmod", "/sbin/veritysetup": "/sbin/veritysetup",
         "/sbin/cryptsetup": "/sbin/cryptsetup", "/sbin/mke2fs": "/sbin/mke2fs"}
APPLETS = ("sh", "mount", "mkdir", "sleep", "switch_root", "cat", "echo", "test", "[", "umount")


def closure(binaries):
    """Shared libraries and the loader the host binaries need, at the paths ldd names them by."""
    libs = set()
    for b in binaries:
        out = subprocess.run(["ldd", b], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            m = re.search(r"=> (/\S+)", line) or re.search(r"^\s*(/\S+) \(0x", line)
            if m:
                libs.add(m.group(1))
    return sorted(libs)


def initramfs(out, script, kernel_root, kver, profile="storage"):
    """Writes the baseline initramfs with `script` (busybox sh) as /init."""
    work = os.path.dirname(out)
    init = os.path.join(work, os.path.basename(out) + ".init")
    with open(init, "w") as f:
        f.write(script)
    lines = [f"file /init {init} 0755", "file /bin/busybox /bin/busybox 0755"]
    lines += [f"slink /bin/{a} busybox 0777" for a in APPLETS]
    lines += [f"file {dst} {src} 0755" for dst, src in TOOLS.items()]
    lines += [f"file {lib} {os.path.realpath(lib)} 0755" for lib in closure(TOOLS.values())]
    listing = out + ".list"
    with open(listing, "w") as f:
        f.write("\n".join(lines) + "\n")
    cmd = [vmlib.CCIMAGE, "initramfs", "-o", out, "--list", listing,
           "--kernel-root", kernel_root, "--kver", kver, "--profile", profile]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return out


def modules(needs=("NEED_ROOT", "NEED_SCRATCH"), profile="storage"):
    """(name, options, optional) of the profile rows a boot with these needs loads, read from
    ccinit's own table so both inits load the same set with the same options."""
    src = open(os.path.join(vmlib.ROOT, "modules/profiles.c")).read()
    body = src.split(f"static const struct module_spec {profile}[] = {{", 1)[1].split("};", 1)[0]
    rows = re.findall(r'\{"([a-z0-9_]+)", (NULL|"[^"]*"), (true|false),\s*([A-Z_| ]+)\}', body)
    return [(name, "" if opts == "NULL" else opts.strip('"'), optional == "true")
            for name, opts, optional, need in rows
            if need.strip() == "NEED_ALWAYS" or any(n in need for n in needs)]


# Debian's tools are called by absolute path: busybox sh prefers its own applets
# (it has a modprobe and a mke2fs too), which would not be the baseline.
MOUNTS = """export PATH=/sbin:/bin DM_DISABLE_UDEV=1
fail() { echo "baseline: FATAL: $*"; echo o > /proc/sysrq-trigger; sleep 100; }
mount -t devtmpfs -o nosuid,noexec,mode=0755 devtmpfs /dev
mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t tmpfs -o nosuid,nodev,noexec,mode=0755 run /run
mount -t tmpfs -o nosuid,nodev tmpfs /tmp
"""


def wait_for(*devs):
    test = " || ".join(f"[ ! -b {d} ]" for d in devs)
    return f"n=0; while {test}; do n=$((n+1)); [ $n -gt 1000 ] && fail 'devices'; sleep 0.01; done\n"


def verity_open(params, name):
    p = dict(kv.split("=", 1) for kv in params.split(","))
    salt = p["salt"]
    return (f"/sbin/veritysetup open --no-superblock --hash sha256 --data-block-size {p['data_block_size']}"
            f" --hash-block-size {p['hash_block_size']} --data-blocks {p['data_blocks']}"
            f" --salt {salt} /dev/vda1 {name} /dev/vda2 {p['root_hash']} || fail veritysetup\n")


def boot_script(params, modules_list):
    """ccinit's verified-root boot, step for step, in shell."""
    s = "#!/bin/sh\n" + MOUNTS
    for name, opts, optional in modules_list:
        s += f"/sbin/modprobe {name} {opts}".rstrip() + (" 2>/dev/null\n" if optional else f" || fail {name}\n")
    s += wait_for("/dev/vda2", "/dev/vdb")
    s += verity_open(params, "root")
    s += "mkdir -p /run/ccinit/lower /run/ccinit/scratch /sysroot\n"
    s += "mount -t erofs -o ro,nosuid,nodev /dev/mapper/root /run/ccinit/lower || fail erofs\n"
    s += ("/sbin/cryptsetup open --type plain --cipher aes-xts-plain64 --key-size 512 --sector-size 4096"
          " --key-file /dev/urandom --keyfile-size 64 /dev/vdb scratch || fail cryptsetup\n")
    s += ("/sbin/mke2fs -q -F -t ext4 -O ^has_journal -E nodiscard"
          " -b 4096 /dev/mapper/scratch || fail mke2fs\n")
    s += "mount -t ext4 -o nosuid,nodev,noatime /dev/mapper/scratch /run/ccinit/scratch || fail scratch\n"
    s += "mkdir -p /run/ccinit/scratch/upper /run/ccinit/scratch/work\n"
    s += ("mount -t overlay -o lowerdir=/run/ccinit/lower,upperdir=/run/ccinit/scratch/upper,"
          "workdir=/run/ccinit/scratch/work overlay /sysroot || fail overlay\n")
    for m in ("/dev", "/proc", "/sys", "/run", "/tmp"):
        s += f"mount --move {m} /sysroot{m}\n"
    s += "echo 1 > /sysroot/proc/sys/kernel/modules_disabled\n"
    s += "exec switch_root /sysroot /usr/bin/kata-agent\n"
    return s


def stage1_script(params):
    """Stands in for the kernel's dm-mod.create=: verity root, mounted read-only as /, then its /sbin/init."""
    s = "#!/bin/sh\n" + MOUNTS
    for name in ("virtio_pci", "virtio_blk", "dm_mod", "dm_verity", "erofs"):
        s += f"/sbin/modprobe {name} || fail {name}\n"
    s += wait_for("/dev/vda2")
    s += verity_open(params, "dm-verity")
    s += "mkdir -p /sysroot\nmount -t erofs -o ro /dev/mapper/dm-verity /sysroot || fail erofs\n"
    s += "umount /proc /sys /run /tmp\nmount --move /dev /sysroot/dev\n"
    s += "exec switch_root /sysroot /sbin/init\n"
    return s
