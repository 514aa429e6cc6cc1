/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What apt.c shares with apt_source.c, the source-package half of the same
 * private apt: the handle's layout, running an apt program under the lists
 * lock, and reading one deb822 field. Nothing outside rootfs/deb/ includes it.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define MAX_OPTS 48

/* Where an apt program's stderr goes (apt_run); a descriptor > 0 takes it too. */
enum { APT_ERRORS_OURS = 0, APT_ERRORS_NULL = -1 };

struct apt {
	char root[3072];
	char opt_store[MAX_OPTS][PATH_MAX];
	size_t nopts;
	bool quiet;
};

/*
 * Runs prog (apt-get, apt-cache) with the handle's options and args, taking
 * apt's lists lock in turn with other builds; *out gets its stdout.
 */
int apt_run(struct apt *a, const char *prog, const char *const *args, const char *cwd, char **out,
            size_t *out_len, int errors);

/* Copies a deb822 field's value (first line) from a stanza; "" when absent. */
void deb822_field(const char *stanza, size_t len, const char *name, char *out, size_t size);
