/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Why each path is in the staged root: the package (or none, for local
 * files) and a reason ("slice e2fsprogs_mke2fs", "needed by /sbin/mke2fs").
 * `ccimage build --explain` prints it; the SBOM takes the package from it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct origin {
	char *path;
	char *package; /* NULL: not from a package */
	char *reason;
};

struct origins {
	struct origin *v;
	size_t n, cap;
	bool sorted;
};

/* Records path; a path already recorded keeps its first origin (returns 0). */
int origins_add(struct origins *o, const char *path, const char *package, const char *reason);
const struct origin *origins_find(struct origins *o, const char *path);
/* Sorts by path (for stable output). */
void origins_sort(struct origins *o);
void origins_free(struct origins *o);
