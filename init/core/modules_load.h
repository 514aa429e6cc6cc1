/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Module loading as ccinit does it, on modules/'s libkmod context: the
 * inserts go through PID 1's system-call seam, so only ccinit links this
 * (ccimage resolves modules with modules_resolve() and inserts none).
 */
#pragma once

#include <stddef.h>

#include "modules/modules.h"

struct boot_trace;

/* ccinit's hook (init/core/modules_trace.c): each load timed in the boot trace t. */
void modules_set_trace(struct modules_ctx *m, struct boot_trace *t);

/*
 * Loads a module with its dependencies and softdeps (init/core/modules_load.c, ccinit
 * only): each file through finit_module on the seam (init/core/sys.h), a
 * compressed one for the kernel to decompress. Already loaded or built in
 * counts as success; a failing softdep is skipped. -ENOENT: the module is not
 * in the tree.
 */
int modules_load(struct modules_ctx *m, const char *name, const char *options, char *why,
                 size_t why_size);

/* Loads, in order, the modules of a profile this boot needs (NEED_ALWAYS rows always). */
int modules_load_profile(struct modules_ctx *m, const struct module_profile *p, unsigned needs,
                         char *why, size_t why_size);
