/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage lock RECIPE`: pins the recipe's packages as the archive has them today. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "rootfs/apt.h"
#include "rootfs/command.h"
#include "rootfs/lock.h"
#include "rootfs/recipe.h"

#define MAX_SETS 32

static void usage(FILE *f)
{
	fprintf(f, "usage: ccimage lock RECIPE [--output FILE] [--set NAME=VALUE]... [--quiet]\n"
	           "Resolves every package of the recipe (and its kernel package) against the\n"
	           "recipe's archives today and writes RECIPE.lock (or FILE): name, version,\n"
	           "architecture, sha256 and archive path of each .deb, sorted.\n");
}

static int lock_main(int argc, char **argv)
{
	static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
	                                     {"set", required_argument, NULL, 's'},
	                                     {"quiet", no_argument, NULL, 'q'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {0}};
	const char *out = NULL, *sets[MAX_SETS];
	size_t nsets = 0;
	bool quiet = false;
	char why[PATH_MAX + 256] = "", path[PATH_MAX];
	struct recipe *rc = NULL;
	struct apt *a = NULL;
	struct lock *l = NULL;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 's':
			if (nsets == MAX_SETS)
				return EXIT_USAGE;
			sets[nsets++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	r = recipe_load(argv[optind], sets, nsets, &rc, why, sizeof(why));
	if (r < 0) {
		fprintf(stderr, "ccimage lock: %s\n", why);
		return r == -EINVAL ? EXIT_DATA : EXIT_SYSTEM;
	}
	if (!out) {
		lock_default_path(argv[optind], path, sizeof(path));
		out = path;
	}
	if (!rc->has_debian) {
		struct lock empty = {0};
		snprintf(empty.recipe, sizeof(empty.recipe), "%s", rc->name);
		r = lock_write(&empty, out, argv[optind]);
	} else {
		r = apt_open(rc, quiet, &a, why, sizeof(why));
		if (r == 0)
			r = apt_update(a, true, why, sizeof(why));
		if (r == 0)
			r = lock_resolve(rc, a, &l, why, sizeof(why));
		if (r == 0 && (r = lock_write(l, out, argv[optind])) < 0)
			snprintf(why, sizeof(why), "writing %s: %s", out, strerror(-r));
	}
	if (r < 0)
		fprintf(stderr, "ccimage lock: %s\n", why[0] ? why : strerror(-r));
	else if (!quiet)
		fprintf(stderr, "ccimage lock: %s: %zu packages pinned\n", out, l ? l->n : 0);
	lock_free(l);
	apt_free(a);
	recipe_free(rc);
	return r == 0 ? EXIT_OK : r == -ENOENT || r == -EPROTO ? EXIT_DATA : EXIT_SYSTEM;
}

CCIMAGE_COMMAND(lock, "lock",
                "pin a recipe's Debian packages (name, version, sha256) in RECIPE.lock", lock_main);
