#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""VM tests on the kernel `ccimage kernel build` makes from Debian's source and
kernel-configs/ (kernel-configs/README.md, "The kernel build"): everything the
storage path needs built in, DM_INIT, lockdown, signed modules only.

Initramfs mode boots it with ccinit's initramfs, whose storage profile is now
all built in. Rootfs mode boots it with no initramfs at all, as Kata boots its
NVIDIA images: the kernel builds the verity device from dm-mod.create= and
mounts it as /, and ccinit runs from there as /sbin/init and checks / against
the measured command line. No first stage stands in for dm-init here (compare
tests/vm/run.py's rootfs rows on Debian's kernel). The tampered rows run in
this mode too, and so do the table rows: ccinit holds the live verity table to
the whole measured line (init/README.md, 7), so a weakening option (with the
agent tampered with, which the kernel would otherwise serve), another salt,
block count or algorithm name, and a second dm-mod.create= are boot failures. And the kernel holds its signature policy: NVIDIA's nvidia.ko,
signed by the build, loads from a verified root; the same module unsigned,
signed by another key, or changed by one byte after signing is refused by the
kernel (MODULE_SIG_FORCE, lockdown) and ccinit stops the boot. Prints TAP.

usage: kernel_built.py [SCENARIO-NAME-SUBSTRING...]"""

import concurrent.futures
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import images  # noqa: E402
import modsig  # noqa: E402
import run  # noqa: E402
import vmlib  # noqa: E402

LOCKDOWN = "Kernel is locked down from Kernel configuration"
# No initramfs and no first stage: the kernel made the verity device and ran the root's init.
DM_INIT = ["device-mapper: ioctl: dm-0 (dm-verity) is ready", "Run /sbin/init as init process"]


def built_kernel():
    """(vmlinuz, kernel root, kver) of the cached build (`make check` started it in the
    background; this waits for it on the build's lock, or builds it when run alone)."""
    p = subprocess.run([vmlib.CCIMAGE, "kernel", "build", "--quiet"], capture_output=True,
                       text=True)
    if p.returncode != 0:
        raise RuntimeError(f"ccimage kernel build: exit {p.returncode}: {p.stderr.strip()}")
    root = p.stdout.strip()
    boot = os.path.join(root, "boot")
    kver = [f for f in os.listdir(boot) if f.startswith("vmlinuz-")][0][len("vmlinuz-"):]
    return os.path.join(boot, "vmlinuz-" + kver), root, kver


def rootfs_disk(which):
    return lambda e: [(e["disks"][which or "R"], None, True)]


def check_lockdown(probe=images.PROBE):
    """The agent ran as kata-agent expects, on a kernel locked down, and read the probe."""
    def check(b, r, env):
        problems = run.check_exec_handoff(b, r, env)
        if LOCKDOWN not in b.transcript:
            problems.append("the kernel did not say it is locked down")
        if (r.get("probe") or {}).get("result") != probe:
            problems.append(f"probe read {r.get('probe')}")
        return problems
    return check


def rootfs_append(img, verity_of=None):
    """The measured line of a rootfs-mode launch: Kata's dm-mod.create= for img, and
    ccinit.root.verity= for verity_of (another image's, to make them disagree)."""
    return lambda e: ("ccinit.log=info testagent.read=/etc/probe ccinit.root.verity="
                      + e["verity"][verity_of or img] + " " + e["images"][img]["dm_mod_create"])


def row(name, append, expect, agent_runs, check=None, initrd=None, disks=None, panics=False,
        kernel=None):
    """initrd: a key of env["initrds"], or None for rootfs mode; kernel: the vmlinuz, from env
    (the cached build's by default)."""
    return dict(name=name, append=append, expect=expect, agent_runs=agent_runs, check=check,
                initrd=initrd, disks=disks, panics=panics,
                kernel=kernel or (lambda e: e["vmlinuz"]))


# ccinit's words for the error finit_module returns when the kernel refuses a module's
# signature (EKEYREJECTED, as musl says it); the kernel's own come before it.
REJECTED = "nvidia.ko: Key was rejected by service"
MODULE_ROWS = [
    ("signed by the kernel's build: loads, then finds no GPU (the control)", "signed",
     ["NVRM: No NVIDIA GPU found."]),
    ("unsigned: the kernel refuses it", "unsigned",
     ["Loading of unsigned module is rejected", REJECTED]),
    ("signed with a key the kernel does not hold: refused", "other-key",
     ["Loading of module with unavailable key is rejected", REJECTED]),
    ("one byte changed after signing: refused", "flipped", [REJECTED]),
]


def with_module(kroot, kver, ko):
    """What images.image adds: the kernel's module indexes and ko as updates/dkms/nvidia.ko,
    depmod run over them, as `ccimage build` lays out a root's modules."""
    def add(tree):
        src, dst = (os.path.join(t, "lib/modules", kver) for t in (kroot, tree))
        os.makedirs(os.path.join(dst, "updates/dkms"))
        for name in ("modules.order", "modules.builtin", "modules.builtin.modinfo"):
            if os.path.exists(os.path.join(src, name)):
                shutil.copy(os.path.join(src, name), dst)
        with open(os.path.join(dst, "updates/dkms/nvidia.ko"), "wb") as f:
            f.write(ko)
        subprocess.run(["depmod", "-b", tree, kver], check=True, capture_output=True)
    return add


def module_images(work, kroot, kver):
    """One verified root per variant of the build's signed nvidia.ko."""
    with open(os.path.join(kroot, "lib/modules", kver, "updates/dkms/nvidia.ko"), "rb") as f:
        signed = f.read()
    body, _ = modsig.split(signed)
    variants = {"signed": signed, "unsigned": body,
                "other-key": modsig.sign_with_new_key(body, work),
                "flipped": modsig.flipped(signed)}
    return {k: images.image(work, "M-" + k, images.PROBE, add=with_module(kroot, kver, ko))
            for k, ko in variants.items()}


def module_row(name, variant, expect):
    return row(f"built kernel, nvidia.ko {name}",
               lambda e: run.ROOT + "ccinit.gpu=optional ccinit.modules.extra=nvidia "
               "ccinit.root.verity=" + e["verity"]["M-" + variant],
               expect + [LOCKDOWN], False, None, "storage",
               lambda e: [(images.path(e["images"]["M-" + variant], "disk"), None, True),
                          (images.scratch(e["work"], f"scratch-m-{variant}.img"), "scratch",
                           False)])


def edit_table(dm_mod, edit):
    """dm_mod (`dm-mod.create="..." root=...`) with its verity table's words passed through
    edit: words[0:3] are start, length and "verity", words[3:13] the verity fields."""
    head, table, tail = dm_mod.split('"', 2)
    device, words = table.rsplit(",", 1)
    return head + '"' + device + "," + " ".join(edit(words.split())) + '"' + tail


def with_options(*options):
    return lambda w: w + [str(len(options)), *options]


def fewer_blocks(w):
    """One data block less, the length to match: the same hash tree still verifies every
    block that is left, so the kernel builds it."""
    blocks, size = int(w[8]), int(w[6])
    return w[:1] + [str((blocks - 1) * size // 512)] + w[2:8] + [str(blocks - 1)] + w[9:]


def kata_field(params, key, change):
    return ",".join(k + "=" + (change(v) if k == key else v)
                    for k, v in (kv.split("=", 1) for kv in params.split(",")))


def rootfs_line(dm_edit=None, kata_edit=None, extra=""):
    """A rootfs-mode line for image R, its verity table or its Kata parameters edited, extra
    parameters in front (where a host would add them)."""
    def line(e):
        dm = e["images"]["R"]["dm_mod_create"]
        kata = e["verity"]["R"]
        return (extra(e) if callable(extra) else extra) + \
            "ccinit.log=info testagent.read=/etc/probe ccinit.root.verity=" + \
            (kata_edit(kata) if kata_edit else kata) + " " + \
            (edit_table(dm, dm_edit) if dm_edit else dm)
    return line


def weakened_row(option):
    # The agent's bytes are tampered with: under these options the kernel may serve them.
    return row(f"fail: built kernel, rootfs mode, the table says {option}, the agent tampered with",
               rootfs_line(with_options(option)),
               DM_INIT + [f"FATAL: root: / (dm-verity) is verified with {option}, which "
                          "weakens dm-verity"], False, None, None, rootfs_disk("R-data-flip"))


# Rootfs mode holds the whole table the measured line names (init/README.md, 7).
TABLE_ROWS = [weakened_row(o) for o in
              ("ignore_corruption", "ignore_zero_blocks", "check_at_most_once")] + [
    row("fail: built kernel, rootfs mode, ccinit.root.verity names another salt",
        rootfs_line(kata_edit=lambda k: kata_field(k, "salt", lambda v: v[:-1] + "0"
                                                   if v[-1] != "0" else v[:-1] + "1")),
        DM_INIT + ["FATAL: root: / has salt", "ccinit.root.verity says"], False, None, None,
        rootfs_disk(None)),
    row("fail: built kernel, rootfs mode, ccinit.root.verity names another data block count",
        rootfs_line(kata_edit=lambda k: kata_field(k, "data_blocks", lambda v: str(int(v) + 1))),
        DM_INIT + ["FATAL: root: / has data_blocks", "ccinit.root.verity says"], False, None,
        None, rootfs_disk(None)),
    row("fail: built kernel, rootfs mode, the table names sha256 by its driver (sha256-generic)",
        rootfs_line(lambda w: [("sha256-generic" if x == "sha256" else x) for x in w]),
        DM_INIT + ["FATAL: root: / has algorithm sha256-generic, ccinit.root.verity says "
                   "sha256"], False, None, None, rootfs_disk(None)),
    row("fail: built kernel, rootfs mode, the table covers one data block less",
        rootfs_line(fewer_blocks),
        DM_INIT + ["FATAL: root: / has data_blocks", "ccinit.root.verity says"], False, None,
        None, rootfs_disk(None)),
    row("built kernel, rootfs mode, restart_on_corruption and panic_on_error, as the line names "
        "them: the agent starts",
        rootfs_line(with_options("restart_on_corruption", "panic_on_error")),
        DM_INIT + ["root: rootfs mode, / is dm-verity with root hash"], True,
        check_lockdown(), None, rootfs_disk(None)),
    # dm-init builds the last dm-mod.create=; a verifier matching the first checks another.
    row("fail: built kernel, rootfs mode, dm-mod.create= given twice",
        rootfs_line(extra=lambda e: e["images"]["R"]["dm_mod_create"] + " "),
        DM_INIT + ["FATAL: cmdline: dm-mod.create: given twice"], False, None, None,
        rootfs_disk(None)),
    row("fail: built kernel, rootfs mode, another image's table first as dm_mod.create=",
        rootfs_line(extra=lambda e: e["images"]["A"]["dm_mod_create"].replace(
            "dm-mod.create=", "dm_mod.create=", 1) + " "),
        DM_INIT + ["FATAL: cmdline: dm-mod.create: given twice"], False, None, None,
        rootfs_disk(None)),
]


RECIPE = "test-kernel"
RECIPE_PROBE = "ccinit test image on the built kernel"


def recipe_file(e, name):
    with open(os.path.join(e["recipe"], name)) as f:
        return f.read().strip()


SCENARIOS = [
    row("built kernel, initramfs mode: good image, storage profile built in, locked down",
        lambda e: run.ROOT + "ccinit.root.verity=" + e["verity"]["A"],
        ["Run /init as init process", "root: overlay of"], True, check_lockdown(), "storage",
        lambda e: [(e["disks"]["A"], None, True),
                   (images.scratch(e["work"], "scratch-a.img"), "scratch", False)]),
    row("fail: built kernel, initramfs mode, one byte flipped in a hash block",
        lambda e: run.ROOT + "ccinit.root.verity=" + e["verity"]["A"],
        ["FATAL: root: mounting erofs", "is corrupted"], False, None, "storage",
        lambda e: [(e["disks"]["A-hash-flip"], None, True),
                   (images.scratch(e["work"], "scratch-a-flip.img"), "scratch", False)]),
    row("built kernel, rootfs mode without a first stage: / is the verity device dm-init built",
        rootfs_append("R"), DM_INIT + ["root: rootfs mode, / is dm-verity with root hash"], True,
        check_lockdown(), None, rootfs_disk(None)),
    row("fail: built kernel, rootfs mode, ccinit.root.verity names another root hash",
        rootfs_append("R", "A"), ["FATAL: root: / has root hash", "ccinit.root.verity says"],
        False, None, None, rootfs_disk(None)),
    row("fail: built kernel, rootfs mode, one byte of the agent flipped",
        rootfs_append("R"), ["FATAL: handoff: reading /usr/bin/kata-agent", "I/O error"], False,
        None, None, rootfs_disk("R-data-flip")),
    # The kernel checks the root before ccinit exists: a root that does not match the
    # measured dm-mod.create= never mounts, and the boot ends in the kernel's panic.
    row("fail: built kernel, rootfs mode, one byte of the hash tree flipped: the kernel cannot mount /",
        rootfs_append("R"), ["Unable to mount root fs"], False, None, None,
        rootfs_disk("R-hash-flip"), panics=True),
    row(f"recipe: recipes/{RECIPE}.yaml (kernel: build) built by ccimage build, initramfs mode",
        lambda e: recipe_file(e, "cmdline.txt") + " ccinit.log=info ccinit.scratch=serial:scratch"
        " testagent.read=/etc/probe", ["root: overlay of"], True, check_lockdown(RECIPE_PROBE),
        "recipe", lambda e: [(e["recipe_disk"], None, True),
                             (images.scratch(e["work"], "scratch-recipe.img"), "scratch", False)],
        kernel=lambda e: os.path.join(e["recipe"], "vmlinuz")),
    row(f"recipe: recipes/{RECIPE}.yaml in rootfs mode: no initramfs, its dm-mod.txt",
        lambda e: "ccinit.log=info testagent.read=/etc/probe ccinit.root.verity="
        + recipe_file(e, "verity_params.txt") + " " + recipe_file(e, "dm-mod.txt"),
        DM_INIT + ["root: rootfs mode, / is dm-verity with root hash"], True,
        check_lockdown(RECIPE_PROBE),
        None, lambda e: [(e["recipe_disk"], None, True)],
        kernel=lambda e: os.path.join(e["recipe"], "vmlinuz")),
] + TABLE_ROWS + [module_row(*m) for m in MODULE_ROWS]


def sbom_missing(env):
    """The kernel source packages the build names (build.json's kernel_built) as SPDX
    packages with their version: linux-source-X.Y and nvidia-open-kernel-source."""
    with open(os.path.join(env["recipe"], "build.json")) as f:
        built = json.load(f)["inputs"]["kernel_built"]
    with open(os.path.join(env["recipe"], RECIPE + ".spdx.json")) as f:
        spdx = {p["name"]: p.get("versionInfo") for p in json.load(f)["packages"]}
    m = re.search(r"linux-source ([^,]+), nvidia-open-kernel-source ([^,]+),", built)
    if not m:
        return [f"kernel_built does not name both sources: {built}"]
    series = ".".join(m.group(1).split(".")[:2])
    want = {f"linux-source-{series}": m.group(1), "nvidia-open-kernel-source": m.group(2)}
    return [f"{n} {v}: SPDX has {spdx.get(n)}" for n, v in want.items() if spdx.get(n) != v]


def prepare(work):
    vmlinuz, kroot, kver = built_kernel()
    env = {"work": work, "vmlinuz": vmlinuz}
    mke2fs = vmlib.mke2fs_list(work)
    env["initrds"] = {"storage": vmlib.initramfs(
        os.path.join(work, "storage.cpio"), os.path.join(vmlib.BUILD, "ccinit"), lists=[mke2fs],
        profile="storage", kernel_root=kroot, kver=kver)}
    a = images.image(work, "A", images.PROBE)
    r = images.image(work, "R", images.PROBE, with_init=True)
    env["images"] = {"A": a, "R": r}
    env["images"].update({"M-" + k: v for k, v in module_images(work, kroot, kver).items()})
    env["verity"] = {k: v["kata_verity_params"] for k, v in env["images"].items()}
    env["recipe"] = vmlib.build_recipe(work, RECIPE)
    env["recipe_disk"] = os.path.join(env["recipe"], RECIPE + ".img")
    env["initrds"]["recipe"] = os.path.join(env["recipe"], "initramfs.cpio")
    rdisk = images.path(r, "disk")
    env["disks"] = {
        "A": images.path(a, "disk"), "R": rdisk,
        "A-hash-flip": images.flipped_copy(images.path(a, "disk"),
                                           os.path.join(work, "a-hash-flip.img"),
                                           images.hash_offset(a)),
        "R-data-flip": images.flipped_copy(rdisk, os.path.join(work, "r-data-flip.img"),
                                           images.agent_offset(r)),
        "R-hash-flip": images.flipped_copy(rdisk, os.path.join(work, "r-hash-flip.img"),
                                           images.hash_offset(r)),
    }
    return env


def boot(env, r):
    initrd = env["initrds"][r["initrd"]] if r["initrd"] else None
    return vmlib.boot(r["kernel"](env), initrd, r["append"](env), r["disks"](env))


def run_one(env, r):
    b = boot(env, r)
    return r["name"], vmlib.judge(b, env, r["expect"], r["agent_runs"], r["check"],
                                  r["panics"]), b


def main():
    filters = sys.argv[1:]
    rows = [r for r in SCENARIOS if not filters or any(f in r["name"] for f in filters)]
    work = vmlib.tempdir()
    env = prepare(work)
    print(f"1..{len(rows) + 2}")
    same = filecmp.cmp(env["vmlinuz"], os.path.join(env["recipe"], "vmlinuz"), shallow=False)
    print(f"{'ok' if same else 'not ok'} 1 - recipes/{RECIPE}.yaml's vmlinuz is the cached build's "
          f"({env['vmlinuz']})")
    missing = sbom_missing(env)
    print(f"{'not ok' if missing else 'ok'} 2 - recipes/{RECIPE}.yaml's SPDX document lists the "
          "packages the kernel was built from")
    for m in missing:
        print(f"#   {m}")
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda r: run_one(env, r), rows))
    failed = vmlib.report(results, work, "kernel-built", first=3) + (not same) + bool(missing)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
