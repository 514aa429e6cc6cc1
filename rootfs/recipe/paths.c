/* SPDX-License-Identifier: Apache-2.0 */
/* Image paths in a recipe: the globs slices and excludes use, and what a path may be. */
#include <stdbool.h>
#include <string.h>

#include "rootfs/lib/stagefs.h"
#include "rootfs/recipe/recipe.h"

bool recipe_glob_match(const char *g, const char *p)
{
	for (;;) {
		if (g[0] == '*' && g[1] == '*') {
			g += 2;
			for (;; p++) {
				if (recipe_glob_match(g, p))
					return true;
				if (!*p)
					return false;
			}
		}
		if (*g == '*') {
			g++;
			for (;; p++) {
				if (recipe_glob_match(g, p))
					return true;
				if (!*p || *p == '/')
					return false;
			}
		}
		if (!*g)
			return !*p;
		if (!*p || (*g == '?' ? *p == '/' : *g != *p))
			return false;
		g++, p++;
	}
}

/* A recipe may name exactly the image paths the stage writer accepts. */
bool recipe_path_ok(const char *path)
{
	return stage_path_ok(path);
}
