/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "init/base/log.h"
#include "init/core/sys.h"
#include "init/core/trace.h"

void trace_init(struct boot_trace *t)
{
	memset(t, 0, sizeof(*t));
	t->init_start_ns = sys->now_ns();
}

int trace_begin(struct boot_trace *t, const char *name)
{
	if (t->count == TRACE_MAX)
		return -1;
	struct trace_entry *e = &t->entries[t->count];
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->depth = t->depth++;
	e->start_ns = sys->now_ns();
	e->end_ns = 0;
	return (int)t->count++;
}

void trace_end(struct boot_trace *t, int index)
{
	if (t->depth > 0)
		t->depth--;
	if (index < 0 || (unsigned)index >= t->count)
		return;
	t->entries[index].end_ns = sys->now_ns();
}

static double ms(int64_t ns)
{
	return (double)ns / 1e6;
}

void trace_print(const struct boot_trace *t, int64_t now_ns)
{
	log_info(
	        "boot trace (ms since kernel start; kernel to /init %.1f, /init to hand-off %.1f):",
	        ms(t->init_start_ns), ms(now_ns - t->init_start_ns));
	for (unsigned i = 0; i < t->count; i++) {
		const struct trace_entry *e = &t->entries[i];
		int64_t end = e->end_ns ? e->end_ns : now_ns;
		log_info("  %9.1f %8.1f  %*s%s%s", ms(e->start_ns), ms(end - e->start_ns),
		         2 * e->depth, "", e->name, e->end_ns ? "" : " (unfinished)");
	}
}
