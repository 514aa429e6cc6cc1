/* SPDX-License-Identifier: Apache-2.0 */
/* The boot steps, in the order init/main.c runs them. Each lives in its own file. */
#pragma once

#include "init/core/boot.h"

int mount_early(struct boot *b);   /* init/mounts.c */
int cmdline_read(struct boot *b);  /* init/cmdline.c */
int modules_early(struct boot *b); /* init/modules_step.c */
int verified_root(struct boot *b); /* init/root.c */
int loopback_up(struct boot *b);   /* init/loopback.c */
int lockdown(struct boot *b);      /* init/lockdown.c */

/* The hand-off: exec the agent as PID 1, or supervise it. Never returns. */
_Noreturn void handoff(struct boot *b); /* init/handoff.c */

/* The one terminal path: log once at emergency level, sync, power off. */
_Noreturn void boot_fail(struct boot *b, const char *step, int err); /* init/fail.c */
_Noreturn void boot_terminate(struct boot *b);                       /* init/fail.c */

/* Not PID 1: `ccinit` prints its identity, `ccinit gpu-status` reports (init/identity.c). */
int identity_main(int argc, char **argv);

/* Opens b->modules over <root>/lib/modules/<running kernel>; none if the tree is absent. */
int modules_open_tree(struct boot *b, const char *root); /* init/modules_step.c */
