/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Module loads timed in the boot trace, through modules/'s load hook: the
 * trace (and through it the system-call seam) stays in ccinit, and ccimage,
 * which links modules/ too, carries none of it.
 */
#include "init/core/trace.h"
#include "init/core/modules_load.h"

static int load_begin(const char *label, void *userdata)
{
	return trace_begin(userdata, label);
}

static void load_end(int token, void *userdata)
{
	trace_end(userdata, token);
}

void modules_set_trace(struct modules_ctx *m, struct boot_trace *t)
{
	const struct modules_load_hook hook = {.begin = load_begin, .end = load_end, .userdata = t};

	modules_set_load_hook(m, t ? &hook : NULL);
}
