# SPDX-License-Identifier: Apache-2.0
"""Boots Debian's cloud kernel in QEMU (TCG) with images ccimage built, and reads
what happened from the serial transcript: ccinit's messages, its boot trace,
and the test agent's report. Shared by the VM tests, the demo and the benchmarks."""

import json
import os
import re
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
CCIMAGE = os.path.join(BUILD, "ccimage")

# Kernel flags for every boot: serial console, and a panic must end the VM at
# once (QEMU runs with -no-reboot) rather than hang until the timeout.
BASE_APPEND = "console=ttyS0 panic=-1 oops=panic"


def kernel(suite=None):
    """Returns (vmlinuz, kernel_root, kver) of the cached Debian cloud kernel of suite
    (tests/vm/kernel.sh's default, trixie, when None)."""
    out = subprocess.run([os.path.join(ROOT, "tests/vm/kernel.sh"), *([suite] if suite else [])],
                         check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    kver = open(os.path.join(out, "kver")).read().strip()
    root = os.path.join(out, "root")
    return os.path.join(root, "boot", "vmlinuz-" + kver), root, kver


def mke2fs_list(work):
    """A `ccimage initramfs --list` file in work that adds the static mke2fs; its path."""
    path = os.path.join(work, "mke2fs.list")
    with open(path, "w") as f:
        f.write(f"file /sbin/mke2fs {os.path.join(BUILD, 'deps/sbin/mke2fs')} 0755\n")
    return path


def initramfs(out, init, lists=(), profile=None, modules=(), kernel_root=None, kver=None,
              modules_compressed=False):
    cmd = [CCIMAGE, "initramfs", "-o", out, "--init", init]
    if modules_compressed:
        cmd.append("--modules-compressed")
    for lst in lists:
        cmd += ["--list", lst]
    if profile or modules:
        cmd += ["--kernel-root", kernel_root, "--kver", kver]
        if profile:
            cmd += ["--profile", profile]
        for m in modules:
            cmd += ["--module", m]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return out


class Boot:
    """One finished boot: its transcript and what can be read from it."""

    def __init__(self, transcript, returncode, timed_out, seconds):
        self.transcript = transcript
        self.returncode = returncode
        self.timed_out = timed_out
        self.seconds = seconds

    @property
    def powered_off(self):
        # QEMU with -no-reboot exits by itself on power off; the kernel says so last.
        return (not self.timed_out and self.returncode == 0
                and "reboot: Power down" in self.transcript)

    @property
    def panicked(self):
        return "Kernel panic" in self.transcript

    def report(self):
        m = re.search(r"CCINIT-AGENT-REPORT-BEGIN\r?\n(.*?)\r?\nCCINIT-AGENT-REPORT-END",
                      self.transcript, re.S)
        if not m:
            return None
        # The kernel's console messages can land in the middle of the agent's line.
        text = re.sub(r"\r?\n?\[\s*[0-9]+\.[0-9]+\][^\n]*\n", "", m.group(1).replace("\r", ""))
        return json.loads(text)

    def ccinit_lines(self):
        return [l.split("ccinit: ", 1)[1].rstrip("\r")
                for l in self.transcript.splitlines() if "ccinit: " in l]

    def trace(self):
        """(kernel start to /init, /init to hand-off) in ms, from ccinit's trace header."""
        m = re.search(r"kernel to /init ([0-9.]+), /init to hand-off ([0-9.]+)", self.transcript)
        return (float(m.group(1)), float(m.group(2))) if m else None


def _qemu_command(vmlinuz, initrd, append, disks, memory):
    cmd = ["qemu-system-x86_64", "-machine", "pc", "-cpu", "max", "-m", str(memory),
           "-smp", "1", "-display", "none", "-monitor", "none", "-serial", "stdio",
           "-no-reboot", "-nodefaults", "-kernel", vmlinuz,
           *(["-initrd", initrd] if initrd else []),
           "-append", (BASE_APPEND + " " + append).strip()]
    for i, (path, serial, readonly) in enumerate(disks):
        drive = f"file={path},if=none,id=d{i},format=raw" + (",readonly=on" if readonly else "")
        dev = f"virtio-blk-pci,drive=d{i}" + (f",serial={serial}" if serial else "")
        cmd += ["-drive", drive, "-device", dev]
    return cmd


def boot(vmlinuz, initrd, append="", disks=(), timeout=90, memory=512, stdin=None):
    """disks: list of (path, serial or None, readonly) attached as virtio-blk in order;
    initrd None: none (rootfs mode on a kernel that mounts / itself)."""
    cmd = _qemu_command(vmlinuz, initrd, append, disks, memory)
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout,
                           stdin=None if stdin is not None else subprocess.DEVNULL)
        out, rc, timed_out = p.stdout, p.returncode, False
    except subprocess.TimeoutExpired as e:
        out, rc, timed_out = e.stdout or b"", -1, True
    return Boot(out.decode("utf-8", "replace"), rc, timed_out, time.monotonic() - start)


def boot_interactive(vmlinuz, initrd, append, disks, prompt, act, timeout=120, memory=512):
    """Boots like boot(), but when `prompt` appears on the console calls act() (the host
    acting mid-boot, on the disks say) and sends the guest what it returns (a newline if None)."""
    import select
    cmd = _qemu_command(vmlinuz, initrd, append, disks, memory)
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out, acted = b"", False
    while p.poll() is None and time.monotonic() - start < timeout:
        ready, _, _ = select.select([p.stdout], [], [], 0.5)
        if ready:
            chunk = os.read(p.stdout.fileno(), 65536)
            out += chunk
            if not acted and prompt.encode() in out:
                reply = act()
                p.stdin.write(reply if reply is not None else b"\n")
                p.stdin.flush()
                acted = True
    timed_out = p.poll() is None
    if timed_out:
        p.kill()
    out += p.stdout.read() or b""
    p.wait()
    return Boot(out.decode("utf-8", "replace"), p.returncode, timed_out, time.monotonic() - start)


def judge(b, env, expect, agent_runs, check=None, panics=False):
    """What is wrong with a finished boot, against its row: it powered off (or, with panics,
    ended in the kernel's panic, before any init ran); every expected text is in the
    transcript; the agent reported when it should, and after a failure it never ran and
    exactly one FATAL names why; then the row's own check of the agent's report."""
    problems = []
    report = b.report()
    if b.panicked != panics:
        problems.append("kernel panic" if b.panicked else "no kernel panic")
    if b.timed_out or (not panics and not b.powered_off):
        problems.append(f"did not power off (rc {b.returncode}, timed out {b.timed_out})")
    for text in expect:
        if text not in b.transcript:
            problems.append(f"missing: {text}")
    if agent_runs and report is None:
        problems.append("no agent report")
    if not agent_runs:
        if report is not None or "CCINIT-AGENT-REPORT" in b.transcript:
            problems.append("the agent ran after a failure")
        want = 0 if panics else 1
        if b.transcript.count("FATAL:") != want:
            problems.append(f"{b.transcript.count('FATAL:')} FATAL messages, want exactly {want}")
    if report is not None and check:
        problems += check(b, report, env)
    return problems


def report(results, work, log_prefix, first=1):
    """Prints one TAP line per (name, problems, boot), numbered from first; a failing boot's
    problems follow it and its transcript is kept in WORK/LOG_PREFIX-N.log. Returns the
    number that failed."""
    failed = 0
    for i, (name, problems, b) in enumerate(results, first):
        if not problems:
            print(f"ok {i} - vm: {name} ({b.seconds:.1f} s)")
            continue
        failed += 1
        print(f"not ok {i} - vm: {name}")
        for p in problems:
            print(f"#   {p}")
        log = os.path.join(work, f"{log_prefix}-{i}.log")
        with open(log, "w") as f:
            f.write(b.transcript)
        print(f"#   transcript: {log}")
    return failed


def tempdir():
    return tempfile.mkdtemp(prefix="ccinit-vm-", dir=os.environ.get("TMPDIR", "/tmp"))


def build_recipe(work, name, sets=()):
    """Builds recipes/NAME.yaml with `ccimage build` into WORK/recipe-NAME and returns that
    directory. From the committed lock while `ccimage lock --check` says it is current; else
    (Debian's archive keeps only the newest version of each package) from a fresh lock, and
    says so. The image is booted with the vmlinuz the build wrote beside it, the kernel its
    initramfs's modules belong to, never with a kernel fetched separately."""
    src = os.path.join(ROOT, "recipes", name + ".yaml")
    out = os.path.join(work, "recipe-" + name)
    lock = src + ".lock"
    set_args = [a for s in sets for a in ("--set", s)]
    p = subprocess.run([CCIMAGE, "lock", src, "--check", *set_args], capture_output=True,
                       text=True)
    if p.returncode == 1:
        print(f"# {p.stdout.strip()}; built from a fresh lock", flush=True)
        lock = os.path.join(work, name + ".lock")
        _ccimage("lock", src, "--output", lock, "--quiet", *set_args)
    elif p.returncode != 0:
        raise RuntimeError(f"ccimage lock {src} --check: exit {p.returncode}: {p.stderr.strip()}")
    _ccimage("build", src, "--out", out, "--quiet", "--lock", lock, *set_args)
    return out


def _ccimage(*args):
    p = subprocess.run([CCIMAGE, *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"ccimage {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    return p
