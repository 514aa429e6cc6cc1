/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lock files come with recipes from other people's repositories; the reader
 * must refuse what is malformed (naming the line) and never crash. What it
 * accepts is written back and read again: the same pins must come back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rootfs/recipe/lock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lock *l = NULL, *again = NULL;
	char why[512] = "", path[64];
	FILE *f = fmemopen((void *)data, size, "r");

	if (!f || !size)
		return f ? fclose(f), 0 : 0;
	int r = lock_parse(f, "fuzz.lock", &l, why, sizeof(why));
	fclose(f);
	if (r < 0) {
		if (l || !why[0])
			abort();
		return 0;
	}
	for (size_t i = 0; i < l->n; i++)
		if (lock_find(l, l->pkgs[i].name) != &l->pkgs[i] || strlen(l->pkgs[i].sha256) != 64)
			abort();
	for (size_t i = 0; i < l->nrims; i++)
		if (lock_find_rim(l, l->rims[i].name) != &l->rims[i] ||
		    strlen(l->rims[i].sha256) != 64 || strchr(l->rims[i].name, '/') ||
		    (i && strcmp(l->rims[i - 1].name, l->rims[i].name) >= 0))
			abort();
	snprintf(path, sizeof(path), "/tmp/fuzz-lock-%d", (int)getpid());
	if (lock_write(l, path, "fuzz.yaml") == 0) {
		if (lock_read(path, &again, why, sizeof(why)) < 0 || again->n != l->n ||
		    again->nrims != l->nrims)
			abort();
		for (size_t i = 0; i < l->nrims; i++)
			if (memcmp(&again->rims[i], &l->rims[i], sizeof(l->rims[i])) != 0)
				abort();
		for (size_t i = 0; i < l->n; i++)
			if (memcmp(&again->pkgs[i], &l->pkgs[i], sizeof(l->pkgs[i])) != 0)
				abort();
		lock_free(again);
		unlink(path);
	}
	lock_free(l);
	return 0;
}
