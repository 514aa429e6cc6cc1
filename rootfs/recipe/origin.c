/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs/recipe/origin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b)
{
	return strcmp(((const struct origin *)a)->path, ((const struct origin *)b)->path);
}

void origins_sort(struct origins *o)
{
	if (!o->sorted && o->n)
		qsort(o->v, o->n, sizeof(*o->v), cmp);
	o->sorted = true;
}

const struct origin *origins_find(struct origins *o, const char *path)
{
	struct origin key = {.path = (char *)path};

	origins_sort(o);
	return o->n ? bsearch(&key, o->v, o->n, sizeof(*o->v), cmp) : NULL;
}

int origins_add(struct origins *o, const char *path, const char *package, const char *reason)
{
	if (origins_find(o, path))
		return 0;
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 256;
		struct origin *nv = realloc(o->v, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		o->v = nv;
		o->cap = cap;
	}
	struct origin *e = &o->v[o->n];
	e->path = strdup(path);
	e->package = package ? strdup(package) : NULL;
	e->reason = strdup(reason);
	if (!e->path || !e->reason || (package && !e->package)) {
		free(e->path);
		free(e->package);
		free(e->reason);
		return -ENOMEM;
	}
	o->n++;
	/* Appending in order keeps it sorted; anything else sorts on the next lookup. */
	if (o->n > 1 && strcmp(o->v[o->n - 2].path, e->path) > 0)
		o->sorted = false;
	return 0;
}

void origins_free(struct origins *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].path);
		free(o->v[i].package);
		free(o->v[i].reason);
	}
	free(o->v);
	memset(o, 0, sizeof(*o));
}
