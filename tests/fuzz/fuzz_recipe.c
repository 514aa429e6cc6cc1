/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Recipes come from users and from other people's repositories: the reader
 * must refuse anything malformed with a message and never crash, leak or
 * read out of bounds. Whatever it accepts is walked (globs matched, paths
 * checked), so hostile accepted values reach the code that uses them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rootfs/recipe/recipe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sets[] = {"agent=/x", "v=1"};
	static const char *const paths[] = {"/usr/bin/x", "/lib/x86_64-linux-gnu/libc.so.6",
	                                    "/a/b/c"};
	struct recipe *r = NULL;
	char why[512];

	if (size > 65536)
		return 0;
	/* A leading comment turns on the --set overrides (they fail on recipes without them). */
	size_t nsets = size && data[0] == '#' ? 2 : 0;
	int rc = recipe_parse("fuzz.yaml", (const char *)data, size, sets, nsets, &r, why,
	                      sizeof(why));
	if (rc < 0) {
		if (r || !why[0] || !memchr(why, '\0', sizeof(why)))
			abort();
		return 0;
	}
	for (size_t i = 0; i < r->npackages; i++) {
		if (recipe_package_find(r, r->packages[i].name) == NULL)
			abort();
		for (size_t s = 0; s < r->packages[i].nslices; s++)
			for (size_t g = 0; g < r->packages[i].slices[s].nglobs; g++) {
				const char *glob = r->packages[i].slices[s].globs[g];
				if (!recipe_path_ok(glob))
					abort();
				/* Bounded work: backtracking over many stars is exponential. */
				size_t stars = 0;
				for (const char *c = glob; *c; c++)
					stars += *c == '*';
				if (stars <= 4)
					for (size_t p = 0; p < 3; p++)
						(void)recipe_glob_match(glob, paths[p]);
			}
	}
	for (size_t i = 0; i < r->nfiles; i++)
		if (!recipe_path_ok(r->files[i].path) || r->files[i].mode > 07777)
			abort();
	recipe_free(r);
	return 0;
}
