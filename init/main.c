/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccinit: PID 1 of a confidential guest. This file is the boot sequence
 * (init/README.md, 1 "Boot sequence"); each step is a function in its own file
 * that returns 0 or a negative errno. Any failure takes the one terminal path:
 * a message at emergency level naming the step and the cause, sync, power
 * off. The agent never starts after a failed check. PID 1 never returns.
 */
#include <unistd.h>

#include "init/gpu/gpu.h"
#include "init/base/log.h"
#include "init/core/signals.h"
#include "init/steps.h"
#include "init/core/sys.h"

/* Runs one step inside the boot trace; a failure never comes back. */
static void run_step(struct boot *b, const char *name, boot_step_fn step)
{
	int t = trace_begin(&b->trace, name);
	int r = step(b);
	trace_end(&b->trace, t);
	if (r < 0)
		boot_fail(b, name, r);
}

int main(int argc, char **argv)
{
	/* Not PID 1: print the version and own sha256 and exit, as NVRC does. */
	if (getpid() != 1)
		return identity_main(argc, argv);

	/* Static: a process that never returns should not keep its state on the stack. */
	static struct boot boot;

	signals_block_all();
	trace_init(&boot.trace);
	config_init(&boot.config);

	run_step(&boot, "mount", mount_early);     /* /dev, /proc, /sys, /run, /tmp; log to kmsg */
	run_step(&boot, "cmdline", cmdline_read);  /* every knob, strictly */
	run_step(&boot, "modules", modules_early); /* storage modules from the initramfs */
	run_step(&boot, "root", verified_root);    /* dm-verity root, scratch, overlay, switch */
	run_step(&boot, "loopback", loopback_up);  /* lo up before any daemon needs it */
	run_step(&boot, "gpu", gpu_step);          /* modules, nodes, CC state, daemons */
	run_step(&boot, "lockdown", lockdown);     /* extra modules, then modules_disabled=1 */
	handoff(&boot);                            /* exec or supervise the agent */
}
