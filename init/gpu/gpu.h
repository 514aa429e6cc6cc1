/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GPU bring-up (init/README.md, 1, step 5): NVRC's job done natively. The step
 * finds the NVIDIA devices on PCI, the CPU's TEE, checks the firmware, loads
 * nvidia and nvidia-uvm, creates the device nodes, reads the GPUs'
 * confidential-compute state through the driver's RM controls and holds it
 * against the policy, starts nvidia-persistenced (and the optional tools),
 * and sets the CC GPUs-ready state last, when asked. Each part has its own
 * file and header (gpu_topology, tee, gpu_inventory, gpu_nodes, gpu_cc,
 * gpu_daemons, gpu_attest); gpu.c runs them in order.
 *
 * Everything reads the system through init/core/sys.h: files below sys_root
 * (sysfs, procfs, /dev, the verified root's files), ioctls and mknod through
 * `sys`, so tests run the whole step against a fake driver in a temp dir.
 */
#pragma once

#include <stddef.h>

struct boot;
struct modules_ctx;

/* The boot step; called with the verified root as / (b->modules over its tree). */
int gpu_step(struct boot *b);

/* Module loading as the step does it; tests swap it for a fake (default modules_load). */
extern int (*gpu_modules_load)(struct modules_ctx *m, const char *name, const char *options,
                               char *why, size_t why_size);
