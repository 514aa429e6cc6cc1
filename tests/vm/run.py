#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""VM tests: each scenario boots Debian's cloud kernel under QEMU (TCG) with an
initramfs built by ccimage and ends as its row says, read from the serial
transcript and the test agent's report. Prints TAP. A failure case passes only
if the VM powered off, the expected message is there and the agent never ran.

usage: run.py [SCENARIO-NAME-SUBSTRING...]"""

import concurrent.futures
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vmlib  # noqa: E402


def mount(report, target):
    for m in report["mounts"]:
        if m["target"] == target:
            return m
    return None


def check_exec_handoff(b, r):
    """The agent became PID 1 with exactly the process state kata-agent expects."""
    problems = []
    if r["pid"] != 1:
        problems.append(f"agent pid {r['pid']}, want 1")
    if r["oom_score_adj"] != "-997":
        problems.append(f"oom_score_adj {r['oom_score_adj']}")
    if r["rlimits"]["nofile"] != [1048576, 1048576]:
        problems.append(f"nofile {r['rlimits']['nofile']}")
    if r["environ"] != ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]:
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


def check_supervised(b, r):
    problems = []
    if r["pid"] == 1:
        problems.append("agent is PID 1 in supervise mode")
    if "exited with status 3; powering off" not in b.transcript:
        problems.append("ccinit did not log the agent's exit status 3")
    return problems


# Each row: name, kernel command line, what must appear, whether the agent must
# run, and an optional check of its report. Failure rows must power off without it.
SCENARIOS = [
    ("boot: exec hand-off, agent is PID 1", "ccinit.log=info", ["handing off to /usr/bin/kata-agent"],
     True, check_exec_handoff),
    ("boot: supervise mode, agent exits, ccinit powers off",
     "ccinit.log=info ccinit.supervise=1 testagent.exit=3",
     ["supervising agent /usr/bin/kata-agent"], True, check_supervised),
    ("fail: bad knob value", "ccinit.root.timeout=abc",
     ["FATAL: cmdline: ccinit.root.timeout: 'abc' is not a number"], False, None),
    ("fail: unknown ccinit knob", "ccinit.rooot=/dev/vda",
     ["FATAL: cmdline: ccinit.rooot: unknown ccinit knob"], False, None),
    ("fail: missing agent", "ccinit.agent=/usr/bin/no-such-agent",
     ["FATAL: handoff: exec /usr/bin/no-such-agent: No such file or directory"], False, None),
    ("fail: debug shell refused by the production build", "ccinit.debug.shell=1",
     ["FATAL: cmdline: ccinit.debug.shell: refused, this is a production build"], False, None),
    ("fail: bad NVRC knob value", "nvrc.smi.lgc=fast",
     ["FATAL: cmdline: nvrc.smi.lgc: 'fast' is not a number"], False, None),
    ("fail: on_failure=halt still never starts the agent",
     "ccinit.on_failure=halt ccinit.agent=relative", ["FATAL: cmdline: ccinit.agent"], False, None),
]


def run_one(env, row):
    name, append, expect, agent_runs, check = row
    b = vmlib.boot(env["vmlinuz"], env["initrd"], append)
    problems = []
    report = b.report()
    if b.panicked:
        problems.append("kernel panic")
    halted = "System halted" in b.transcript or "reboot: System halted" in b.transcript
    if "on_failure=halt" in append:
        if not halted:
            problems.append("did not halt")
    elif not b.powered_off:
        problems.append(f"did not power off (rc {b.returncode}, timed out {b.timed_out})")
    for text in expect:
        if text not in b.transcript:
            problems.append(f"missing: {text}")
    if agent_runs and report is None:
        problems.append("no agent report")
    if not agent_runs and (report is not None or "CCINIT-AGENT-REPORT" in b.transcript):
        problems.append("the agent ran after a failure")
    if not agent_runs and b.transcript.count("FATAL:") != 1:
        problems.append(f"{b.transcript.count('FATAL:')} FATAL messages, want exactly 1")
    if report is not None and check:
        problems += check(b, report)
    return name, problems, b


def main():
    filters = sys.argv[1:]
    vmlinuz, kroot, kver = vmlib.kernel()
    work = vmlib.tempdir()
    initrd = vmlib.initramfs(os.path.join(work, "initramfs.cpio"),
                             os.path.join(vmlib.BUILD, "ccinit"),
                             lists=[os.path.join(vmlib.ROOT, "tests/vm/initramfs.list")])
    env = {"vmlinuz": vmlinuz, "initrd": initrd}
    rows = [r for r in SCENARIOS if not filters or any(f in r[0] for f in filters)]
    print(f"1..{len(rows)}")
    failed = 0
    # Two boots at a time: the machines here have two cores and TCG uses one each.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for i, (name, problems, b) in enumerate(pool.map(lambda r: run_one(env, r), rows), 1):
            if problems:
                failed += 1
                print(f"not ok {i} - vm: {name}")
                for p in problems:
                    print(f"#   {p}")
                log = os.path.join(work, f"scenario-{i}.log")
                with open(log, "w") as f:
                    f.write(b.transcript)
                print(f"#   transcript: {log}")
            else:
                print(f"ok {i} - vm: {name} ({b.seconds:.1f} s)")
            sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
