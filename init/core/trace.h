/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The boot trace: each step's start and duration on CLOCK_BOOTTIME (time
 * since the kernel started), printed as one table before the hand-off, so a
 * slow boot shows where its time went. Sub-steps (each module load, each GPU
 * step) nest under their step.
 */
#pragma once

#include <stdint.h>

#define TRACE_MAX 96

struct trace_entry {
	char name[48];
	int depth;
	int64_t start_ns;
	int64_t end_ns; /* 0 while running */
};

struct boot_trace {
	int64_t init_start_ns; /* when ccinit started: the kernel's share of the boot */
	unsigned count;
	int depth;
	struct trace_entry entries[TRACE_MAX];
};

void trace_init(struct boot_trace *t);
/* Opens an entry; returns its index (or -1 when full: the trace is best effort). */
int trace_begin(struct boot_trace *t, const char *name);
void trace_end(struct boot_trace *t, int index);
/* Logs the table at info level. */
void trace_print(const struct boot_trace *t, int64_t now_ns);
