#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""VM tests: each scenario boots Debian's cloud kernel under QEMU (TCG) with an
initramfs and a verified root image built by ccimage, and must end as its row
says, judged from the serial transcript and the test agent's report. A failure
row passes only if the VM powered off with exactly one FATAL message naming
what it must, and the agent never ran. Prints TAP.

usage: run.py [SCENARIO-NAME-SUBSTRING...]"""

import concurrent.futures
import itertools
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import baseline  # noqa: E402
import images  # noqa: E402
import vmlib  # noqa: E402

AGENT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
ATTESTER_NVIDIA = "KATA_ATTESTER_VARIANT=nvidia"
# A verity line that parses (64 hex digits of root hash); no disk has it.
WELL_FORMED_VERITY = ("root_hash={0},salt=abab,data_blocks=19,"
                      "data_block_size=4096,hash_block_size=4096")


def mount(report, target):
    found = [m for m in report["mounts"] if m["target"] == target]
    return found[-1] if found else None


def dm_by_devno(report, devno):
    for d in report["dm"]:
        if d["devno"] == devno:
            return d
    return None


def check_exec_handoff(b, r, env, want_env=(AGENT_PATH,)):
    """The agent became PID 1 with exactly the process state kata-agent expects."""
    problems = []
    if r["pid"] != 1:
        problems.append(f"agent pid {r['pid']}, want 1")
    if r["oom_score_adj"] != "-997":
        problems.append(f"oom_score_adj {r['oom_score_adj']}")
    if r["rlimits"]["nofile"] != [1048576, 1048576]:
        problems.append(f"nofile {r['rlimits']['nofile']}")
    if sorted(r["environ"]) != sorted(want_env):
        problems.append(f"environment {r['environ']}")
    if sorted(r["fds"]) != ["0", "1", "2"] or set(r["fds"].values()) != {"/dev/console"}:
        problems.append(f"descriptors {r['fds']}")
    if r["sigblk"] != "0000000000000000" or r["sigign"] != "0000000000000000":
        problems.append(f"signals blocked {r['sigblk']} ignored {r['sigign']}")
    if r["modules_disabled"] != "1":
        problems.append("modules_disabled not 1")
    want = {"/proc": ("proc", {"nosuid", "nodev", "noexec"}),
            "/sys": ("sysfs", {"nosuid", "nodev", "noexec"}),
            "/dev": ("devtmpfs", {"nosuid", "noexec"}),
            "/run": ("tmpfs", {"nosuid", "nodev", "noexec"}),
            "/tmp": ("tmpfs", {"nosuid", "nodev"})}
    for target, (fstype, flags) in want.items():
        m = mount(r, target)
        if not m or m["fstype"] != fstype or not flags <= set(m["options"].split(",")):
            problems.append(f"mount {target}: {m}")
    if not b.trace():
        problems.append("no boot trace in the transcript")
    return problems


def check_supervised(ending):
    """The agent is PID 1 of its own PID namespace, with the exec hand-off's process state;
    ccinit logged how it ended and powered off."""
    def check(b, r, env):
        problems = check_exec_handoff(b, r, env)
        if ending not in b.transcript:
            problems.append(f"ccinit did not log: {ending}")
        return problems
    return check


def check_verified_root(scratch_uuid_prefix, want_env=(AGENT_PATH,)):
    """/ is overlay over dm-verity (ro) erofs + a writable layer; the agent read its probe file."""
    def check(b, r, env):
        problems = check_exec_handoff(b, r, env, want_env)
        root, lower, upper = mount(r, "/"), mount(r, "/run/ccinit/lower"), mount(r, "/run/ccinit/scratch")
        if not root or root["fstype"] != "overlay" or "lowerdir=/run/ccinit/lower" not in root["super"]:
            problems.append(f"/ is not the overlay: {root}")
        if not lower or lower["fstype"] != "erofs" or not {"ro", "nosuid", "nodev"} <= set(lower["options"].split(",")):
            problems.append(f"lower layer: {lower}")
        else:
            dm = dm_by_devno(r, lower["dev"])
            if not dm or not dm["uuid"].startswith("CRYPT-VERITY-") or dm["ro"] != "1":
                problems.append(f"lower layer is not a read-only dm-verity device: {dm}")
        if scratch_uuid_prefix == "tmpfs":
            if not upper or upper["fstype"] != "tmpfs":
                problems.append(f"scratch is not tmpfs: {upper}")
        else:
            if not upper or upper["fstype"] != "ext4":
                problems.append(f"scratch: {upper}")
            else:
                dm = dm_by_devno(r, upper["dev"])
                if not dm or not dm["uuid"].startswith(scratch_uuid_prefix):
                    problems.append(f"scratch is not {scratch_uuid_prefix}: {dm}")
        if (r.get("probe") or {}).get("result") != images.PROBE:
            problems.append(f"probe read {r.get('probe')}")
        return problems
    return check


def check_scratch_forgotten(b, r, env):
    """Boot 2 on the same scratch disk: boot 1's file is gone, and the disk never held it in clear."""
    problems = []
    if (r.get("probe") or {}).get("result") != -2:
        problems.append(f"boot 2 read boot 1's file: {r.get('probe')}")
    with open(env["shared_scratch"], "rb") as f:
        if b"CCINIT-SCRATCH-MARKER" in f.read():
            problems.append("the scratch disk holds the marker in clear text")
    return problems


_serial = itertools.count()


def fresh_scratch(env, tag):
    """A new scratch disk per boot: QEMU locks an image that a parallel boot writes."""
    return images.scratch(env["work"], f"scratch-{tag}-{next(_serial)}.img")


def check_extension(b, r, env, want_env=(AGENT_PATH, ATTESTER_NVIDIA)):
    """Kata's gpu extension is mounted: the agent is told to start the NVIDIA attester."""
    problems = check_verified_root("CRYPT-PLAIN-", want_env)(
        b, dict(r, probe={"result": images.PROBE}), env)
    ext = mount(r, "/run/kata-extensions/gpu")
    if not ext or ext["fstype"] != "erofs" or not {"ro", "nosuid", "nodev"} <= set(ext["options"].split(",")):
        problems.append(f"extension mount: {ext}")
    else:
        dm = dm_by_devno(r, ext["dev"])
        if not dm or dm["name"] != "extension-gpu" or not dm["uuid"].startswith("CRYPT-VERITY-"):
            problems.append(f"extension is not a dm-verity device: {dm}")
    if (r.get("probe") or {}).get("result") != "extension probe":
        problems.append(f"extension file read {r.get('probe')}")
    return problems


def extension_disks(attached):
    def disks(env):
        d = [(env["disks"]["good"], None, True),
             (fresh_scratch(env, "ext"), "scratch", False)]
        if attached:
            d.append((images.path(env["images"]["E"], "disk"), "extension-gpu", True))
        return d
    return disks


def root_disks(env, disk="good", scratch=True):
    disks = [(env["disks"][disk], None, True)]
    if scratch:
        disks.append((fresh_scratch(env, disk), "scratch", False))
    return disks


def row(name, append, expect, agent_runs, check=None, initrd="plain", disks=None, kernel=None):
    """kernel: the vmlinuz to boot, from env; by default the one the initramfs's modules
    come from (tests/vm/kernel.sh)."""
    return dict(name=name, append=append, expect=expect, agent_runs=agent_runs, check=check,
                initrd=initrd, disks=disks or (lambda env: []),
                kernel=kernel or (lambda env: env["vmlinuz"]))


def recipe(work, name):
    """recipes/NAME.yaml built by ccimage build (vmlib.build_recipe)."""
    out = vmlib.build_recipe(work, name)
    with open(os.path.join(out, "cmdline.txt")) as f:
        cmdline = f.read().strip()
    return {"dir": out, "cmdline": cmdline, "initrd": os.path.join(out, "initramfs.cpio"),
            "disk": os.path.join(out, name + ".img"), "vmlinuz": os.path.join(out, "vmlinuz")}


def recipe_row(name, path, probe):
    def check(b, r, env):
        problems = check_verified_root("CRYPT-PLAIN-")(b, dict(r, probe={"result": images.PROBE}), env)
        if (r.get("probe") or {}).get("result") != probe:
            problems.append(f"probe read {r.get('probe')}")
        return problems
    return row(f"recipe: recipes/{name}.yaml built by ccimage build boots",
               lambda e: e["recipes"][name]["cmdline"] + " ccinit.log=info ccinit.scratch=serial:scratch"
               " testagent.read=" + path, ["root: overlay of"], True, check, "recipe-" + name,
               lambda e: [(e["recipes"][name]["disk"], None, True),
                          (fresh_scratch(e, name), "scratch", False)],
               kernel=lambda e: e["recipes"][name]["vmlinuz"])


ROOT = "ccinit.log=info ccinit.root=/dev/vda ccinit.scratch=serial:scratch testagent.read=/etc/probe "
EXT = "ccinit.log=info ccinit.root=/dev/vda ccinit.scratch=serial:scratch "
SPLIT = "ccinit.log=info ccinit.root=serial:data,serial:hash ccinit.scratch=serial:scratch ccinit.root.timeout=3 "


def verity(env, img="A"):
    return "ccinit.root.verity=" + env["verity"][img]


def split_disks(data, hash_):
    def disks(env):
        d = []
        if data:
            d.append((images.path(env["images"][data], "erofs"), "data", True))
        if hash_:
            d.append((images.path(env["images"][hash_], "verity"), "hash", True))
        d.append((fresh_scratch(env, "split"), "scratch", False))
        return d
    return disks


SCENARIOS = [
    # Foundation: the initramfs is the root.
    row("boot: exec hand-off, agent is PID 1", lambda e: "ccinit.log=info",
        ["handing off to /usr/bin/kata-agent"], True, check_exec_handoff),
    row("boot: supervise mode, agent is PID 1 of its PID namespace, exits 3, ccinit powers off",
        lambda e: "ccinit.log=info ccinit.supervise=1 testagent.exit=3",
        ["supervising agent /usr/bin/kata-agent: PID 1 of its own PID namespace"], True,
        check_supervised("exited with status 3; powering off")),
    row("boot: supervise mode, the agent's reboot() ends its namespace, ccinit powers off",
        lambda e: "ccinit.log=info ccinit.supervise=1",
        ["supervising agent /usr/bin/kata-agent: PID 1 of its own PID namespace"], True,
        check_supervised("ended by SIGINT: its reboot(power off or halt) in its PID namespace")),
    row("boot: ccinit.attester=nvidia without a GPU: KATA_ATTESTER_VARIANT=nvidia, nothing else",
        lambda e: "ccinit.log=info ccinit.attester=nvidia",
        ["handing off to /usr/bin/kata-agent with KATA_ATTESTER_VARIANT=nvidia"], True,
        lambda b, r, env: check_exec_handoff(b, r, env, (AGENT_PATH, ATTESTER_NVIDIA))),
    row("boot: lo is up when the agent starts", lambda e: "ccinit.log=info testagent.read=/sys/class/net/lo/flags",
        ["ccinit: lo up"], True,
        lambda b, r, env: [] if (r.get("probe") or {}).get("result") == "0x9"
        else [f"lo flags {r.get('probe')}, want 0x9 (UP, LOOPBACK)"]),
    row("fail: bad knob value", lambda e: "ccinit.root.timeout=abc",
        ["FATAL: cmdline: ccinit.root.timeout: 'abc' is not a number"], False),
    row("fail: unknown ccinit knob", lambda e: "ccinit.rooot=/dev/vda",
        ["FATAL: cmdline: ccinit.rooot: unknown ccinit knob"], False),
    row("fail: missing agent", lambda e: "ccinit.agent=/usr/bin/no-such-agent",
        ["FATAL: handoff: exec /usr/bin/no-such-agent: No such file or directory"], False),
    row("fail: debug shell refused by the production build", lambda e: "ccinit.debug.shell=1",
        ["FATAL: cmdline: ccinit.debug.shell: refused, this is a production build"], False),
    row("fail: bad NVRC knob value", lambda e: "nvrc.smi.lgc=fast",
        ["FATAL: cmdline: nvrc.smi.lgc: 'fast' is not a number"], False),
    # The agent a hostile command line names: each ends in one FATAL, never a loop or a hang.
    row("fail: ccinit.agent=/init (ccinit itself)", lambda e: "ccinit.agent=/init",
        ["FATAL: handoff: /init is ccinit itself, not an agent"], False),
    row("fail: ccinit.agent=/proc/self/exe", lambda e: "ccinit.agent=/proc/self/exe",
        ["FATAL: handoff: /proc/self/exe is ccinit itself, not an agent"], False),
    row("fail: ccinit.agent= a symlink to ccinit, supervised",
        lambda e: "ccinit.supervise=1 ccinit.agent=/usr/bin/ccinit-link",
        ["FATAL: handoff: /usr/bin/ccinit-link is ccinit itself, not an agent"], False),
    row("fail: ccinit.agent= a modified copy of ccinit (the second ccinit stops)",
        lambda e: "ccinit.agent=/usr/bin/ccinit-copy",
        ["FATAL: mount: ccinit already ran in this boot (/run/ccinit.started exists)"], False),
    row("fail: ccinit.agent=/dev/zero (an endless character device)",
        lambda e: "ccinit.agent=/dev/zero",
        ["FATAL: handoff: /dev/zero is not a regular file"], False),
    row("fail: supervised agent without the exec bit",
        lambda e: "ccinit.supervise=1 ccinit.agent=/usr/bin/no-exec-bit",
        ["FATAL: handoff: exec /usr/bin/no-exec-bit: Permission denied"], False),
    row("fail: supervised agent is a script without #!",
        lambda e: "ccinit.supervise=1 ccinit.agent=/usr/bin/no-shebang",
        ["FATAL: handoff: exec /usr/bin/no-shebang (not an executable: a script without #!?)"],
        False),
    # Security knobs take one value: a verifier matching the first must see what ccinit uses.
    row("fail: ccinit.root.verity given twice",
        lambda e: "ccinit.root=/dev/vda ccinit.root.verity=" + WELL_FORMED_VERITY.format("a" * 64)
        + " ccinit.root.verity=" + WELL_FORMED_VERITY.format("b" * 64),
        ["FATAL: cmdline: ccinit.root.verity: given twice"], False),
    row("fail: an extension's parameters given twice",
        lambda e: "kata.extension.gpu.verity_params kata.extension.gpu.verity_params",
        ["FATAL: cmdline: kata.extension.gpu.verity_params: given twice"], False),
    row("fail: an extension name longer than a virtio serial holds",
        lambda e: "kata.extension.abcdefghijk.verity_params=root_hash=00",
        ["FATAL: cmdline: kata.extension.abcdefghijk.verity_params: extension name longer "
         "than 10 characters"], False),
    # The images the recipes describe, built end to end by `ccimage build`.
    recipe_row("test", "/etc/probe", "ccinit test image"),
    # Debian 12 (oldstable) stays a tested suite: its image boots its own 6.1 kernel.
    recipe_row("test-bookworm", "/etc/probe", "ccinit test image"),
    recipe_row("kata-guest", "/etc/hostname", "kata"),
    # GPU policy with no GPU on PCI (the NVIDIA image itself boots in `make check-slow`).
    row("gpu: ccinit.gpu=optional without a GPU, the agent runs",
        lambda e: "ccinit.log=info ccinit.gpu=optional", ["gpu: no NVIDIA device"], True,
        check_exec_handoff),
    row("fail: ccinit.gpu.count=1 without a GPU (a host hiding the GPU)",
        lambda e: "ccinit.gpu=optional ccinit.gpu.count=1",
        ["FATAL: gpu: ccinit.gpu.count=1 but PCI has 0 GPUs"], False),
    row("fail: ccinit.gpu.count given twice", lambda e: "ccinit.gpu.count=1 ccinit.gpu.count=0",
        ["FATAL: cmdline: ccinit.gpu.count: given twice"], False),
    row("fail: ccinit.gpu=required without a GPU",
        lambda e: "ccinit.gpu=required",
        ["FATAL: gpu: ccinit.gpu=required but no NVIDIA GPU on PCI"], False),
    # Verified root: the fault matrix.
    row("root: good image, overlay over dm-verity + encrypted scratch",
        lambda e: ROOT + verity(e), ["root: overlay of /dev/dm-0"], True,
        check_verified_root("CRYPT-PLAIN-"), "storage", lambda e: root_disks(e)),
    row("root: data and hash as separate devices by serial",
        lambda e: SPLIT + verity(e) + " testagent.read=/etc/probe", ["root: overlay of"], True,
        check_verified_root("CRYPT-PLAIN-"), "storage", split_disks("A", "A")),
    row("root: supervised agent on the verified root, in its own PID and mount namespaces",
        lambda e: ROOT + verity(e) + " ccinit.supervise=1",
        ["supervising agent /usr/bin/kata-agent: PID 1 of its own PID namespace",
         "ended by SIGINT"], True, check_verified_root("CRYPT-PLAIN-"), "storage",
        lambda e: root_disks(e)),
    row("root: scratch on tmpfs", lambda e: ROOT.replace("serial:scratch", "tmpfs") + verity(e),
        ["root: overlay of"], True, check_verified_root("tmpfs"), "storage",
        lambda e: root_disks(e, scratch=False)),
    row("root: integrity scratch, LUKS2 + hmac-sha256",
        lambda e: ROOT + verity(e) + " ccinit.scratch.integrity=hmac-sha256",
        ["LUKS2, hmac-sha256 integrity"], True, check_verified_root("CRYPT-LUKS2-"), "storage",
        lambda e: root_disks(e)),
    row("root: integrity scratch, LUKS2 + AEAD",
        lambda e: ROOT + verity(e) + " ccinit.scratch.integrity=aead",
        ["LUKS2, aes-gcm AEAD integrity"], True, check_verified_root("CRYPT-LUKS2-"), "storage",
        lambda e: root_disks(e)),
    row("fail: one byte flipped in the agent's data block", lambda e: ROOT + verity(e),
        ["FATAL: handoff: reading /usr/bin/kata-agent", "I/O error", "is corrupted"], False, None,
        "storage", lambda e: root_disks(e, "data-flip")),
    row("fail: one byte flipped in a hash block", lambda e: ROOT + verity(e),
        ["FATAL: root: mounting erofs", "is corrupted"], False, None, "storage",
        lambda e: root_disks(e, "hash-flip")),
    row("fail: wrong root hash on the command line", lambda e: ROOT + "ccinit.root.verity=" + e["wrong"],
        ["FATAL: root: mounting erofs", "is corrupted"], False, None, "storage",
        lambda e: root_disks(e)),
    row("fail: hash device swapped with another image's", lambda e: SPLIT + verity(e),
        ["FATAL: root: mounting erofs", "is corrupted"], False, None, "storage", split_disks("A", "B")),
    row("fail: data device missing, bounded wait", lambda e: SPLIT + verity(e),
        ["FATAL: root: serial:data did not appear within 3 s"], False, None, "storage",
        split_disks(None, "A")),
    row("fail: hash device missing, bounded wait", lambda e: SPLIT + verity(e),
        ["FATAL: root: serial:hash did not appear within 3 s"], False, None, "storage",
        split_disks("A", None)),
    row("fail: malformed verity parameters",
        lambda e: ROOT + "ccinit.root.verity=" + e["verity"]["A"].replace("hash_block_size=4096", "hash_block_size=3000"),
        ["FATAL: cmdline: ccinit.root.verity: hash_block_size is not a power of two"], False, None,
        "storage", lambda e: root_disks(e)),
    row("fail: a module missing from the initramfs", lambda e: ROOT + verity(e),
        ["FATAL: modules: module dm_verity: not found in /lib/modules/"], False, None,
        "no-dm-verity", lambda e: root_disks(e)),
    row("fail: scratch device missing", lambda e: ROOT + verity(e) + " ccinit.root.timeout=3",
        ["FATAL: root: serial:scratch did not appear within 3 s"], False, None, "storage",
        lambda e: root_disks(e, scratch=False)),
    # Rootfs mode: a first stage (standing in for the kernel's dm-mod.create=, which Debian's
    # kernel lacks) makes the verity device / and runs ccinit from it.
    row("root: rootfs mode, / is the verity device the command line names",
        lambda e: "ccinit.log=info testagent.read=/etc/probe ccinit.root.verity=" + e["verity"]["R"]
        + " " + e["images"]["R"]["dm_mod_create"],
        ["root: rootfs mode, / is dm-verity with root hash"], True, None, "stage1",
        lambda e: [(images.path(e["images"]["R"], "disk"), None, True)]),
    row("fail: rootfs mode, ccinit.root.verity names another root hash",
        lambda e: "ccinit.log=info ccinit.root.verity=" + e["verity"]["A"],
        ["FATAL: root: / has root hash", "ccinit.root.verity says"], False, None, "stage1",
        lambda e: [(images.path(e["images"]["R"], "disk"), None, True)]),
    row("fail: rootfs mode, dm-mod.create= names another root hash",
        lambda e: "ccinit.log=info " + e["images"]["A"]["dm_mod_create"],
        ["FATAL: root: / has root hash", "dm-mod.create= says"], False, None, "stage1",
        lambda e: [(images.path(e["images"]["R"], "disk"), None, True)]),
    row("fail: rootfs mode with nothing to check / against", lambda e: "ccinit.log=info",
        ["FATAL: root: / is not the initramfs, and neither"], False, None, "stage1",
        lambda e: [(images.path(e["images"]["R"], "disk"), None, True)]),
    # Kata extension disks (serial extension-<name>), on top of the verified root.
    row("root: a Kata extension disk is verified and mounted",
        lambda e: EXT + verity(e) + " testagent.read=/run/kata-extensions/gpu/etc/probe"
        " kata.extension.gpu.verity_params=" + e["verity"]["E"],
        ["extension gpu: /dev/dm-"], True, check_extension, "storage", extension_disks(True)),
    row("root: the gpu extension with ccinit.attester=none: PATH only",
        lambda e: EXT + verity(e) + " testagent.read=/run/kata-extensions/gpu/etc/probe"
        " ccinit.attester=none kata.extension.gpu.verity_params=" + e["verity"]["E"],
        ["extension gpu: /dev/dm-"], True,
        lambda b, r, env: check_extension(b, r, env, (AGENT_PATH,)), "storage",
        extension_disks(True)),
    row("fail: an extension disk without parameters", lambda e: EXT + verity(e),
        ["FATAL: root: disk vdc (extension-gpu) has no kata.extension.gpu.verity_params"], False,
        None, "storage", extension_disks(True)),
    row("fail: extension parameters without a disk",
        lambda e: EXT + verity(e) + " ccinit.root.timeout=3 kata.extension.gpu.verity_params=" + e["verity"]["E"],
        ["FATAL: root: serial:extension-gpu partition 1 did not appear within 3 s"], False, None,
        "storage", extension_disks(False)),
    row("fail: an extension with another image's root hash",
        lambda e: EXT + verity(e) + " kata.extension.gpu.verity_params=" + e["verity"]["B"],
        ["FATAL: root: mounting extension gpu"], False, None, "storage", extension_disks(True)),
    row("fail: an unmeasured extension (bare key)",
        lambda e: EXT + verity(e) + " kata.extension.gpu.verity_params",
        ["unmeasured extensions are refused"], False, None, "storage", extension_disks(True)),
    # The scratch disk is encrypted and formatted: never a verified disk, said before any write.
    row("fail: scratch on the root disk",
        lambda e: ROOT.replace("serial:scratch", "/dev/vda") + verity(e),
        ["FATAL: root: scratch device /dev/vda (/dev/vda) overlaps the root's data device "
         "/dev/vda1"], False, None, "storage", lambda e: root_disks(e, scratch=False)),
    row("fail: scratch on the root's hash partition",
        lambda e: ROOT.replace("serial:scratch", "/dev/vda2") + verity(e),
        ["FATAL: root: scratch device /dev/vda2 (/dev/vda2) overlaps the root's hash device "
         "/dev/vda2"], False, None, "storage", lambda e: root_disks(e, scratch=False)),
    row("fail: scratch on an extension's disk",
        lambda e: EXT.replace("serial:scratch", "serial:extension-gpu") + verity(e)
        + " kata.extension.gpu.verity_params=" + e["verity"]["E"],
        ["FATAL: root: scratch device /dev/vdb (serial:extension-gpu) is extension gpu's disk"],
        False, None, "storage",
        lambda e: [(e["disks"]["good"], None, True),
                   (images.path(e["images"]["E"], "disk"), "extension-gpu", True)]),
    row("fail: scratch disk read-only", lambda e: ROOT + verity(e),
        ["FATAL: root: scratch device /dev/vdb (serial:scratch) is read-only"], False, None,
        "storage", lambda e: [(e["disks"]["good"], None, True),
                              (fresh_scratch(e, "ro"), "scratch", True)]),
    row("fail: scratch disk too small", lambda e: ROOT + verity(e),
        ["FATAL: root: scratch device /dev/vdb (serial:scratch) has 1048576 bytes, less than"],
        False, None, "storage", lambda e: [
            (e["disks"]["good"], None, True),
            (images.scratch(e["work"], f"tiny-{next(_serial)}.img", 1 << 20), "scratch", False)]),
    row("fail: no writable layer named", lambda e: ROOT.replace("ccinit.scratch=serial:scratch", "") + verity(e),
        ["FATAL: root: no writable layer"], False, None, "storage", lambda e: root_disks(e, scratch=False)),
]

# Two boots on one scratch disk: the second must not see what the first wrote.
SCRATCH_BOOTS = [
    row("root: boot 1 writes a file to scratch", lambda e: ROOT + verity(e) + " testagent.write=/var/marker",
        ["root: overlay of"], True, None, "storage",
        lambda e: [(e["disks"]["good"], None, True), (e["shared_scratch"], "scratch", False)]),
    row("root: boot 2 cannot read it (new key every boot)",
        lambda e: ROOT.replace("testagent.read=/etc/probe", "testagent.read=/var/marker") + verity(e),
        ["root: overlay of"], True, check_scratch_forgotten, "storage",
        lambda e: [(e["disks"]["good"], None, True), (e["shared_scratch"], "scratch", False)]),
]


def tamper_scratch(path):
    """The host's move: change one byte in every 4 KiB of the scratch disk past the LUKS2 header."""
    def act():
        with open(path, "r+b") as f:
            size = f.seek(0, 2)
            for off in range(17 << 20, size, 4096):
                f.seek(off + 100)
                b = f.read(1)
                f.seek(off + 100)
                f.write(bytes([b[0] ^ 0x55]))
    return act


# The host changes scratch sectors after the guest wrote and before it reads them back.
TAMPER = [(mode, f"root: integrity scratch ({mode}): host tampering reads as an error, never wrong data")
          for mode in ("hmac-sha256", "aead")]


def run_tamper(env, mode, name):
    scratch = images.scratch(env["work"], f"tamper-{mode}.img")
    append = ROOT + verity(env) + f" ccinit.scratch.integrity={mode} testagent.tamper=/var/big"
    b = vmlib.boot_interactive(env["vmlinuz"], env["initrds"]["storage"], append,
                               [(env["disks"]["good"], None, True), (scratch, "scratch", False)],
                               "TAMPER-READY", tamper_scratch(scratch))
    problems, r = [], b.report()
    if not b.powered_off:
        problems.append(f"did not power off (rc {b.returncode}, timed out {b.timed_out})")
    if r is None:
        problems.append("no agent report")
    elif not str(r.get("tamper")).startswith("error"):
        problems.append(f"read back after tampering: {r.get('tamper')}")
    if "INTEGRITY AEAD ERROR" not in b.transcript:
        problems.append("the kernel did not report an integrity failure")
    return name, problems, b


def run_debug_shell(env, name):
    """The debug build, asked for a shell, gives one on the console after a failure; then powers off."""
    b = vmlib.boot_interactive(env["vmlinuz"], env["initrds"]["debug"],
                               "ccinit.debug.shell=1 ccinit.agent=/usr/bin/no-such-agent",
                               [], "starting a shell on the console",
                               lambda: b"echo SHELL-ALIVE-$((6*7))\nexit\n")
    problems = []
    if "FATAL: handoff: exec /usr/bin/no-such-agent" not in b.transcript:
        problems.append("no failure message before the shell")
    if "SHELL-ALIVE-42" not in b.transcript:
        problems.append("the shell did not run our command")
    if not b.powered_off:
        problems.append("did not power off after the shell exited")
    return name, problems, b


def prepare(work, wanted):
    vmlinuz, kroot, kver = vmlib.kernel()
    listing = os.path.join(vmlib.ROOT, "tests/vm/initramfs.list")
    init = os.path.join(vmlib.BUILD, "ccinit")
    mke2fs = vmlib.mke2fs_list(work)
    env = {"vmlinuz": vmlinuz, "work": work, "initrds": {}}
    # ccinit with one byte more: not the same file or bytes, still ccinit when it runs.
    copy = os.path.join(work, "ccinit-copy")
    with open(init, "rb") as src, open(copy, "wb") as dst:
        dst.write(src.read() + b"\0")
    copies = os.path.join(work, "copies.list")
    with open(copies, "w") as f:
        f.write(f"file /usr/bin/ccinit-copy {copy} 0755\n")
    env["initrds"]["plain"] = vmlib.initramfs(os.path.join(work, "plain.cpio"), init,
                                              lists=[listing, copies])
    busybox = os.path.join(work, "busybox.list")
    with open(busybox, "w") as f:
        f.write("file /bin/busybox /bin/busybox 0755\nslink /bin/sh busybox 0777\n")
    env["initrds"]["debug"] = vmlib.initramfs(os.path.join(work, "debug.cpio"),
                                              os.path.join(vmlib.BUILD, "ccinit-debug"),
                                              lists=[listing, busybox])
    if any(r["initrd"] != "plain" for r in wanted):
        env["initrds"]["storage"] = vmlib.initramfs(
            os.path.join(work, "storage.cpio"), init, lists=[mke2fs], profile="storage",
            kernel_root=kroot, kver=kver)
        env["initrds"]["no-dm-verity"] = vmlib.initramfs(
            os.path.join(work, "no-dm-verity.cpio"), init, lists=[mke2fs],
            modules=["virtio_pci", "virtio_blk", "dm_mod"], kernel_root=kroot, kver=kver)
        a = images.image(work, "A", images.PROBE)
        b = images.image(work, "B", "another image")
        rootfs = images.image(work, "R", images.PROBE, with_init=True)
        extension = images.image(work, "E", "extension probe")
        env["images"] = {"A": a, "B": b, "R": rootfs, "E": extension}
        env["verity"] = {k: v["kata_verity_params"] for k, v in env["images"].items()}
        env["initrds"]["stage1"] = baseline.initramfs(
            os.path.join(work, "stage1.cpio"), baseline.stage1_script(env["verity"]["R"]), kroot,
            kver, profile="storage")
        good = images.path(a, "disk")
        env["disks"] = {
            "good": good,
            "data-flip": images.flipped_copy(good, os.path.join(work, "data-flip.img"),
                                             images.agent_offset(a)),
            "hash-flip": images.flipped_copy(good, os.path.join(work, "hash-flip.img"),
                                             images.hash_offset(a)),
        }
        rh = a["verity"]["root_hash"]
        env["wrong"] = a["kata_verity_params"].replace(rh, rh[:-1] + ("0" if rh[-1] != "0" else "1"))
        env["shared_scratch"] = images.scratch(work, "shared-scratch.img")
    names = sorted({r["initrd"][len("recipe-"):] for r in wanted if r["initrd"].startswith("recipe-")})
    env["recipes"] = {n: recipe(work, n) for n in names}
    for n, rec in env["recipes"].items():
        env["initrds"]["recipe-" + n] = rec["initrd"]
    return env


def run_one(env, r):
    b = vmlib.boot(r["kernel"](env), env["initrds"][r["initrd"]], r["append"](env), r["disks"](env))
    return r["name"], vmlib.judge(b, env, r["expect"], r["agent_runs"], r["check"]), b


def main():
    filters = sys.argv[1:]
    pick = lambda rows: [r for r in rows if not filters or any(f in r["name"] for f in filters)]
    rows, sequential = pick(SCENARIOS), pick(SCRATCH_BOOTS)
    tampers = [t for t in TAMPER if not filters or any(f in t[1] for f in filters)]
    debug = "boot: the debug build gives a shell on failure when asked"
    debugs = [debug] if not filters or any(f in debug for f in filters) else []
    work = vmlib.tempdir()
    env = prepare(work, rows + sequential + [{"initrd": "storage"}] * len(tampers))
    print(f"1..{len(rows) + len(sequential) + len(tampers) + len(debugs)}")
    results = []
    # Two boots at a time: the machines here have two cores and TCG uses one each.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results += list(pool.map(lambda r: run_one(env, r), rows))
    results += [run_one(env, r) for r in sequential]  # in order: boot 2 reads boot 1's disk
    results += [run_tamper(env, mode, name) for mode, name in tampers]
    results += [run_debug_shell(env, name) for name in debugs]
    failed = vmlib.report(results, work, "scenario")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
