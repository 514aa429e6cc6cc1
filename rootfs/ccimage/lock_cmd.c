/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage lock RECIPE`: pins the recipe's packages as the archive has them today. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/why.h"
#include "rootfs/deb/apt.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"
#include "rootfs/pipeline/build_gpu.h"
#include "rootfs/pipeline/lock_resolve.h"
#include "rootfs/recipe/lock.h"
#include "rootfs/recipe/recipe.h"

static const char usage_text[] =
        "usage: ccimage lock RECIPE [--output FILE] [--set NAME=VALUE]... [--quiet]\n"
        "       ccimage lock RECIPE --check [--lock FILE] [--set NAME=VALUE]...\n"
        "Resolves every package of the recipe (and its kernel package) against the\n"
        "recipe's archives today and writes RECIPE.lock (or FILE): name, version,\n"
        "architecture, sha256 and archive path of each .deb, sorted.\n"
        "--check writes nothing: it says in one line whether RECIPE.lock (or the\n"
        "--lock FILE) still pins what the archive has today; exit 1 when stale.\n";

/* One line: current (exit 0), or how many pins moved and which (exit 1). */
static int check_lock(const struct recipe *rc, const struct lock *now, const char *path,
                      const char *recipe_path)
{
	char why[PATH_MAX + 256] = "", moved_text[512];
	struct lock *pinned = NULL;
	int r;

	if ((r = lock_read(path, &pinned, why, sizeof(why))) < 0) {
		fprintf(stderr, "ccimage lock: %s\n", why_or_errno(why, r));
		return cli_exit_code(r);
	}
	size_t moved = lock_compare(pinned, now, moved_text, sizeof(moved_text));
	if (moved == 0 && lock_check(rc, pinned, why, sizeof(why)) < 0) {
		printf("%s: stale: %s\n", path, why);
		moved = 1;
	} else if (moved == 0) {
		printf("%s: current (%zu pins)\n", path, pinned->n);
	} else {
		printf("%s: stale: %zu of %zu pins moved in the archive (%s): run `ccimage lock "
		       "%s`\n",
		       path, moved, pinned->n, moved_text, recipe_path);
	}
	lock_free(pinned);
	return moved ? EXIT_CHECK : EXIT_OK;
}

static int lock_main(int argc, char **argv)
{
	const char *out = NULL;
	bool quiet = false, check = false;
	const struct cli_opt opts[] = {
	        CLI_STRING("output", 'o', &out, "FILE", NULL), CLI_SETS(NULL),
	        CLI_FLAG("quiet", 'q', &quiet, NULL),          CLI_FLAG("check", 0, &check, NULL),
	        CLI_STRING("lock", 0, &out, "FILE", NULL),     {0},
	};
	struct cli cli = {argc, argv, usage_text, opts};
	char why[PATH_MAX + 256] = "", path[PATH_MAX];
	struct recipe *rc = NULL;
	struct apt *a = NULL;
	struct lock *l = NULL;
	int r;

	if (!cli_parse(&cli, 1, 1))
		return cli.exit_code;
	if (!out) {
		lock_default_path(argv[optind], path, sizeof(path));
		out = path;
	}
	/* --check reads the lock; otherwise it is the one output, and never the recipe. */
	const struct cli_file files[] = {
	        {"RECIPE", argv[optind]},
	        {check ? "--lock" : "--output", out, .output = !check},
	};
	if ((r = cli_check_files("lock", files, 2)) != EXIT_OK)
		return r;
	r = recipe_load(argv[optind], cli.sets, cli.nsets, &rc, why, sizeof(why));
	if (r < 0) {
		fprintf(stderr, "ccimage lock: %s\n", why);
		return cli_exit_code(r);
	}
	if (check && !rc->has_debian) {
		/* Nothing to resolve, but the lock is still read: it must be this recipe's, empty.
		 */
		struct lock none = {0};
		snprintf(none.recipe, sizeof(none.recipe), "%s", rc->name);
		if ((r = gpu_rim_lock_pins(rc, &none, why, sizeof(why))) < 0) {
			fprintf(stderr, "ccimage lock: %s\n", why_or_errno(why, r));
			r = cli_exit_code(r);
		} else {
			r = check_lock(rc, &none, out, argv[optind]);
		}
		free(none.rims);
		recipe_free(rc);
		return r;
	}
	if (!rc->has_debian) {
		struct lock empty = {0};
		snprintf(empty.recipe, sizeof(empty.recipe), "%s", rc->name);
		r = gpu_rim_lock_pins(rc, &empty, why, sizeof(why));
		if (r == 0 && (r = lock_write(&empty, out, argv[optind])) < 0)
			snprintf(why, sizeof(why), "writing %s: %s", out, strerror(-r));
		free(empty.rims);
	} else {
		r = apt_open(rc, quiet || check, &a, why, sizeof(why));
		if (r == 0)
			r = apt_update(a, true, why, sizeof(why));
		if (r == 0)
			r = lock_resolve(rc, a, &l, why, sizeof(why));
		if (r == 0)
			r = gpu_rim_lock_pins(rc, l, why, sizeof(why));
		if (r == 0 && check) {
			int code = check_lock(rc, l, out, argv[optind]);
			lock_free(l);
			apt_free(a);
			recipe_free(rc);
			return code;
		}
		if (r == 0 && (r = lock_write(l, out, argv[optind])) < 0)
			snprintf(why, sizeof(why), "writing %s: %s", out, strerror(-r));
	}
	if (r < 0)
		fprintf(stderr, "ccimage lock: %s\n", why_or_errno(why, r));
	else if (!quiet)
		fprintf(stderr, "ccimage lock: %s: %zu packages pinned\n", out, l ? l->n : 0);
	lock_free(l);
	apt_free(a);
	recipe_free(rc);
	return r == 0                                         ? EXIT_OK
	       : r == -ENOENT || r == -EPROTO || r == -EINVAL ? EXIT_DATA
	                                                      : EXIT_SYSTEM;
}

CCIMAGE_COMMAND(lock, "lock",
                "pin a recipe's Debian packages (name, version, sha256) in RECIPE.lock", lock_main);
