/* SPDX-License-Identifier: Apache-2.0 */
/* Image paths in a recipe: the globs slices and excludes use, and what a path may be. */
#include <stdbool.h>
#include <string.h>

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

bool recipe_path_ok(const char *path)
{
	if (path[0] != '/' || !path[1])
		return false;
	for (const char *p = path; *p;) {
		const char *e = strchr(p + 1, '/');
		size_t len = e ? (size_t)(e - p - 1) : strlen(p + 1);
		if (len == 0 || (len == 1 && p[1] == '.') ||
		    (len == 2 && p[1] == '.' && p[2] == '.'))
			return false;
		if (!e)
			break;
		p = e;
	}
	return true;
}
