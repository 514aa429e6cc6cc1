#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""VM tests of the NVIDIA GPU image (recipes/nvidia-gpu.yaml) in QEMU without a GPU:
ccinit.gpu=optional lets the agent run on the verified root; ccinit.gpu=required, and
the default for an image that ships NVIDIA firmware, fail closed saying no NVIDIA GPU
was found; and the built nvidia.ko really loads into the recipe's kernel (it links,
then refuses for want of a device); and the GPU reference values the build wrote
(reference-values.json, rvps-gpu.json) are the lock's driver. Prints TAP, like run.py.

The modules come from `ccimage modules build`: about 9 minutes on two cores when the
cache has none for this kernel (the build root's packages, then the driver), then taken
from the cache by key. The image boots
with the vmlinuz `ccimage build` wrote beside it (the kernel tree's own).

usage: nvidia.py [--keep] [SCENARIO-NAME-SUBSTRING...]"""

import base64
import concurrent.futures
import hashlib
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vmlib  # noqa: E402

NO_GPU = "ccinit.gpu=required but no NVIDIA GPU on PCI"


def ccimage(*args):
    p = subprocess.run([vmlib.CCIMAGE, *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"ccimage {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    return p


def prepare(work):
    """The kernel tree with the modules (built, or taken from the cache), then the image;
    returns the boot environment."""
    # Trixie's kernel, as the recipe: the module build runs in a trixie build root
    # with the gcc 14 that built that kernel (modules/README.md, 5).
    _, kroot, kver = vmlib.kernel("trixie")
    tree = os.path.join(work, "kernel-tree")
    start = time.monotonic()
    ccimage("modules", "build", "--suite", "trixie", "--kernel-root", kroot, "--kernel-tree", tree)
    modules_s = time.monotonic() - start
    start = time.monotonic()
    # No GPU in QEMU: the measured count is 0 (the recipe's default is 1).
    out = vmlib.build_recipe(work, "nvidia-gpu", sets=[f"kernel_tree={tree}", "gpu_count=0"])
    build_s = time.monotonic() - start
    with open(os.path.join(out, "cmdline.txt")) as f:
        cmdline = f.read().strip()
    return {"vmlinuz": os.path.join(out, "vmlinuz"), "initrd": os.path.join(out, "initramfs.cpio"),
            "disk": os.path.join(out, "nvidia-gpu.img"), "cmdline": cmdline, "out": out,
            "modules_s": modules_s, "build_s": build_s, "kver": kver}


def sizes(env):
    """Bytes of each output, for the comparison with Kata's quoted image sizes."""
    out = env["out"]
    rows = {}
    for name in ("nvidia-gpu.erofs", "nvidia-gpu.verity", "nvidia-gpu.img", "initramfs.cpio"):
        p = os.path.join(out, name)
        if os.path.exists(p):
            rows[name] = os.path.getsize(p)
    return rows


def driver_from_lock():
    """The driver version read here from the lock: libnvidia-ml1's upstream version."""
    with open(os.path.join(vmlib.ROOT, "recipes", "nvidia-gpu.yaml.lock")) as f:
        for line in f:
            w = line.split()
            if len(w) >= 3 and w[0] == "package" and w[1] == "libnvidia-ml1":
                return w[2].split(":")[-1].rsplit("-", 1)[0]
    return None


def gpu_reference_problems(env):
    """The GPU values the build wrote (measurement/README.md, 14 and 15.3): the
    reference-values.json entry and rvps-gpu.json carry the lock's driver, and the
    entry names the lock it came from by its sha256."""
    out, want = env["out"], driver_from_lock()
    with open(os.path.join(out, "reference-values.json")) as f:
        entries = [e for e in json.load(f)["entries"] if e.get("kind") == "gpu"]
    if not want:
        return ["no libnvidia-ml1 in the lock"]
    if len(entries) != 1:
        return [f"{len(entries)} gpu entries in reference-values.json, want 1"]
    problems = []
    if entries[0].get("values") != {"allowed_driver_versions": want}:
        problems.append(f"gpu entry values {entries[0].get('values')}, want driver {want}")
    lock = os.path.join(vmlib.ROOT, "recipes", "nvidia-gpu.yaml.lock")
    with open(lock, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if entries[0].get("from", {}).get("files") != {"nvidia-gpu.yaml.lock": digest}:
        problems.append(f"gpu entry inputs {entries[0].get('from')}, want the lock's sha256")
    with open(os.path.join(out, "rvps-gpu.json")) as f:
        payload = json.loads(base64.b64decode(json.load(f)["payload"], validate=True))
    if payload.get("allowed_driver_versions") != [want]:
        problems.append(f"rvps-gpu.json allowed_driver_versions {payload}")
    return problems


def check_gpu_optional(b, r, env):
    problems = []
    if "gpu: no NVIDIA device, ccinit.gpu=optional: nothing to do" not in b.transcript:
        problems.append("ccinit did not log the optional no-GPU path")
    if (r.get("probe") or {}).get("result") != "ccinit nvidia-gpu image":
        problems.append(f"probe file not read from the verified root: {r.get('probe')}")
    if r.get("modules_disabled") != "1":
        problems.append("modules_disabled not 1")
    if "ccinit.gpu.count=0" not in (r.get("cmdline") or ""):
        problems.append("the recipe did not write the GPU count into the command line")
    return problems


# name, extra command line, texts that must appear, whether the agent runs, check
SCENARIOS = [
    ("gpu=optional: no GPU, the agent runs on the verified root",
     "ccinit.gpu=optional testagent.read=/etc/probe",
     ["handing off to /usr/bin/kata-agent"], True, check_gpu_optional),
    ("gpu=required: no GPU, the boot fails closed", "ccinit.gpu=required",
     [NO_GPU], False, None),
    ("gpu unset: an image with NVIDIA firmware defaults to required", "",
     [NO_GPU], False, None),
    # The recipe measured ccinit.gpu.count=0; a second, later value must not replace it.
    ("the measured GPU count cannot be replaced by a later one", "ccinit.gpu.count=1",
     ["FATAL: cmdline: ccinit.gpu.count: given twice"], False, None),
    # nvidia.ko links against this kernel (no "disagrees about version", no unknown
    # symbol) and its init runs, then refuses for want of a device.
    ("nvidia.ko loads into the recipe's kernel, then finds no GPU",
     "ccinit.gpu=optional ccinit.modules.extra=nvidia-uvm",
     ["NVRM: No NVIDIA GPU found."], False, None),
]


def run_one(env, row):
    name, extra, expect, agent_runs, check = row
    append = f"{env['cmdline']} {extra}".strip()
    b = vmlib.boot(env["vmlinuz"], env["initrd"], append, [(env["disk"], None, True)],
                   timeout=180, memory=1024)
    problems = []
    report = b.report()
    if b.panicked:
        problems.append("kernel panic")
    if not b.powered_off:
        problems.append(f"did not power off (rc {b.returncode}, timed out {b.timed_out})")
    for text in expect:
        if text not in b.transcript:
            problems.append(f"missing: {text}")
    for bad in ("disagrees about version of symbol", "Unknown symbol", "Invalid module format"):
        if bad in b.transcript:
            problems.append(f"the kernel says: {bad}")
    if agent_runs and report is None:
        problems.append("no agent report")
    if not agent_runs:
        if report is not None or "CCINIT-AGENT-REPORT" in b.transcript:
            problems.append("the agent ran after a failure")
        if b.transcript.count("FATAL:") != 1:
            problems.append(f"{b.transcript.count('FATAL:')} FATAL messages, want exactly 1")
    if report is not None and check:
        problems += check(b, report, env)
    return name, problems, b


def main():
    args = sys.argv[1:]
    keep = "--keep" in args
    filters = [a for a in args if a != "--keep"]
    work = vmlib.tempdir()
    try:
        env = prepare(work)
    except (RuntimeError, subprocess.CalledProcessError) as e:
        print("1..1")
        print(f"not ok 1 - vm: nvidia-gpu image builds\n#   {e}")
        return 1
    rows = [r for r in SCENARIOS if not filters or any(f in r[0] for f in filters)]
    print(f"1..{len(rows) + 2}")
    size = sizes(env)
    print(f"ok 1 - vm: nvidia-gpu image built (modules {env['modules_s']:.1f} s, "
          f"image {env['build_s']:.1f} s)")
    print("# sizes: " + json.dumps(size))
    failed = 0
    problems = gpu_reference_problems(env)
    print(f"{'not ok' if problems else 'ok'} 2 - vm: the build's GPU reference values "
          "are the lock's driver")
    for p in problems:
        print(f"#   {p}")
    failed += bool(problems)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for i, (name, problems, b) in enumerate(pool.map(lambda r: run_one(env, r), rows), 3):
            if problems:
                failed += 1
                print(f"not ok {i} - vm: {name}")
                for p in problems:
                    print(f"#   {p}")
                log = os.path.join(work, f"nvidia-{i}.log")
                with open(log, "w") as f:
                    f.write(b.transcript)
                print(f"#   transcript: {log}")
                keep = True
            else:
                print(f"ok {i} - vm: {name} ({b.seconds:.1f} s)")
                if keep:
                    with open(os.path.join(work, f"nvidia-{i}.log"), "w") as f:
                        f.write(b.transcript)
            sys.stdout.flush()
    if keep:
        print(f"# work directory: {work}")
    else:
        subprocess.run(["rm", "-rf", work])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
