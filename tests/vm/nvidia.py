#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""VM tests of the NVIDIA GPU image (recipes/nvidia-gpu.yaml) in QEMU without a GPU, on
the kernel `ccimage kernel build` makes, with NVIDIA's open modules built against it and
signed with its key in the same run (kernel-configs/README.md, "The kernel build"):
ccinit.gpu=optional lets the agent run on the verified root; ccinit.gpu=required, and
the default for an image that ships NVIDIA firmware, fail closed saying no NVIDIA GPU
was found; the signed nvidia.ko really loads into the locked-down kernel (it links, then
refuses for want of a device); and the GPU reference values the build wrote
(reference-values.json, rvps-gpu.json) are the lock's driver. Prints TAP, like run.py.
(tests/vm/kernel_built.py has the rows where the kernel refuses a module it did not
sign; tests/reference/nvidia-modules.sh builds the modules for Debian's kernel.)

The kernel and its modules come from the cache (`make check` starts their build in the
background; this waits on its lock) or are built first: about 20 minutes on two cores.

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
LOCKDOWN = "Kernel is locked down from Kernel configuration"


def ccimage(*args):
    p = subprocess.run([vmlib.CCIMAGE, *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"ccimage {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    return p


def prepare(work):
    """The image, on the built kernel (built first, or taken from the cache); returns the
    boot environment."""
    start = time.monotonic()
    # No GPU in QEMU: the measured count is 0 (the recipe's default is 1).
    out = vmlib.build_recipe(work, "nvidia-gpu", sets=["gpu_count=0"])
    build_s = time.monotonic() - start
    with open(os.path.join(out, "cmdline.txt")) as f:
        cmdline = f.read().strip()
    return {"vmlinuz": os.path.join(out, "vmlinuz"), "initrd": os.path.join(out, "initramfs.cpio"),
            "disk": os.path.join(out, "nvidia-gpu.img"), "cmdline": cmdline, "out": out,
            "build_s": build_s}


def sizes(env):
    """Bytes of each output, for the comparison with Kata's quoted image sizes."""
    out = env["out"]
    rows = {}
    for name in ("nvidia-gpu.erofs", "nvidia-gpu.verity", "nvidia-gpu.img", "initramfs.cpio"):
        p = os.path.join(out, name)
        if os.path.exists(p):
            rows[name] = os.path.getsize(p)
    return rows


def upstream_from_lock(package):
    """The upstream version of a package the nvidia-gpu lock pins (epoch and Debian
    revision dropped), or None."""
    with open(os.path.join(vmlib.ROOT, "recipes", "nvidia-gpu.yaml.lock")) as f:
        for line in f:
            w = line.split()
            if len(w) >= 3 and w[0] == "package" and w[1] == package:
                return w[2].split(":")[-1].rsplit("-", 1)[0]
    return None


def driver_from_lock():
    """The driver version read here from the lock: libnvidia-ml1's upstream version."""
    return upstream_from_lock("libnvidia-ml1")


def gpu_reference_problems(env):
    """The GPU values the build wrote (measurement/README.md, 14 and 15.3): the
    reference-values.json entry and rvps-gpu.json carry the lock's driver, and the
    entry names the lock it came from by its sha256; the gpu-aael entry predicts
    ccinit's events in the attestation agent's log (15.4)."""
    out, want = env["out"], driver_from_lock()
    with open(os.path.join(out, "reference-values.json")) as f:
        entries = [e for e in json.load(f)["entries"] if e.get("kind") == "gpu"]
    if not want:
        return ["no libnvidia-ml1 in the lock"]
    # The kernel build takes the module source at the lock's pin: the same driver.
    source = upstream_from_lock("nvidia-open-kernel-source")
    if source != want:
        return [f"the lock pins nvidia-open-kernel-source {source}, the userspace {want}"]
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
    # ccinit's AAEL events (measurement/README.md, 15.4): the recipe's line asks for no
    # GPUs-ready state and its 6.12 kernel has no TSM measurement register, so none.
    with open(os.path.join(out, "reference-values.json")) as f:
        aael = [e for e in json.load(f)["entries"] if e.get("kind") == "gpu-aael"]
    want_aael = {"ccinit_aael_domain": "github.com/ccinit",
                 "ccinit_gpu_aael_operation": "gpu-evidence", "ccinit_gpu_aael_count": 0}
    if len(aael) != 1 or aael[0].get("values") != want_aael:
        problems.append(f"gpu-aael entries {aael}, want one with {want_aael}")
    elif not aael[0].get("from", {}).get("count"):
        problems.append(f"gpu-aael entry does not say why no event: {aael[0].get('from')}")
    if any(payload.get(k) != v for k, v in want_aael.items()):
        problems.append(f"rvps-gpu.json lacks the gpu-aael values: {payload}")
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
    # symbol), its signature verifies under MODULE_SIG_FORCE and lockdown, and its init
    # runs, then refuses for want of a device.
    ("nvidia.ko, signed by the kernel's build, loads into it locked down, then finds no GPU",
     "ccinit.gpu=optional ccinit.modules.extra=nvidia-uvm",
     ["NVRM: No NVIDIA GPU found.", LOCKDOWN], False, None),
]


def run_one(env, row):
    name, extra, expect, agent_runs, check = row
    append = f"{env['cmdline']} {extra}".strip()
    b = vmlib.boot(env["vmlinuz"], env["initrd"], append, [(env["disk"], None, True)],
                   timeout=180, memory=1024)
    problems = vmlib.judge(b, env, expect, agent_runs, check)
    for bad in ("disagrees about version of symbol", "Unknown symbol", "Invalid module format",
                "module is rejected", "Loading of"):
        if bad in b.transcript:
            problems.append(f"the kernel says: {bad}")
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
    print(f"ok 1 - vm: nvidia-gpu image built on the built kernel ({env['build_s']:.1f} s)")
    print("# sizes: " + json.dumps(sizes(env)))
    problems = gpu_reference_problems(env)
    print(f"{'not ok' if problems else 'ok'} 2 - vm: the build's GPU reference values "
          "and the kernel's module source are the lock's driver")
    for p in problems:
        print(f"#   {p}")
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda r: run_one(env, r), rows))
    failed = vmlib.report(results, work, "nvidia", first=3) + bool(problems)
    if keep or failed:
        print(f"# work directory: {work}")
    else:
        subprocess.run(["rm", "-rf", work])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
