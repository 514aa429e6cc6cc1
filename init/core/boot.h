/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The state a boot carries from step to step. Each step is a function
 * `int step(struct boot *b)` in its own file that returns 0 or a negative
 * errno. A step that gives up says why with boot_error() and returns its
 * result; main's step runner is the one place that logs a failure, once, at
 * emergency level, and takes the terminal path (init/fail.c).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "init/core/config.h"
#include "init/core/trace.h"

struct modules_ctx;

struct boot {
	struct ccinit_config config;
	struct boot_trace trace;
	struct modules_ctx *modules; /* the module context of the current root */
	char why[512];               /* context of the failure a step reports */
	char root_dir[64];           /* where the verified root is being assembled */
	bool root_ready;             /* a verified root is mounted at root_dir */
	char root_data[128];         /* the verified root's devices (/dev paths), once found */
	char root_hash[128];
	bool gpu_up;        /* the GPU step brought up at least one GPU */
	bool gpu_extension; /* Kata's gpu extension is mounted at /run/kata-extensions/gpu */
};

/*
 * Records the context of a failure and returns -|err|, so a step can write
 * `return boot_error(b, r, "module %s", name);`. The runner appends the errno
 * text. err must be non-zero.
 */
int boot_error(struct boot *b, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

typedef int (*boot_step_fn)(struct boot *b);
