/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs/tree/normalise.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/spawn.h"

static const char *const loaders[] = {"/lib64/ld-linux-x86-64.so.2",
                                      "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", NULL};

int normalise_ld_cache(const char *stage, bool *made, char *why, size_t why_size)
{
	char path[PATH_MAX + 32], aux[PATH_MAX];
	bool have_loader = false, had_aux_dir;
	struct stat st;
	int r;

	*made = false;
	for (const char *const *l = loaders; *l && !have_loader; l++) {
		snprintf(path, sizeof(path), "%s%s", stage, *l);
		have_loader = lstat(path, &st) == 0;
	}
	if (!have_loader)
		return 0; /* a static-only image has no loader to read a cache */
	snprintf(aux, sizeof(aux), "%s/var/cache/ldconfig", stage);
	had_aux_dir = lstat(aux, &st) == 0;
	/* -X: no links made or changed; the tree stays what the slices and closure said. */
	const char *argv[] = {"ldconfig", "-X", "-r", stage, NULL};
	r = spawn_wait(argv);
	if (r < 0) {
		snprintf(why, why_size, "ldconfig -X -r %s failed", stage);
		return r;
	}
	/* The aux cache holds host inode numbers and times: never reproducible. */
	snprintf(path, sizeof(path), "%s/aux-cache", aux);
	(void)unlink(path);
	if (!had_aux_dir) {
		(void)rmdir(aux);
		snprintf(path, sizeof(path), "%s/var/cache", stage);
		(void)rmdir(path); /* only when empty: a slice may have kept it */
		snprintf(path, sizeof(path), "%s/var", stage);
		(void)rmdir(path);
	}
	snprintf(path, sizeof(path), "%s/etc/ld.so.cache", stage);
	if (lstat(path, &st) == 0) {
		*made = true;
		if (chmod(path, 0644) < 0)
			return -errno;
	}
	return 0;
}

static int set_time(const char *path, const struct stat *st, void *userdata)
{
	(void)st;
	return utimensat(AT_FDCWD, path, userdata, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

int normalise_times(const char *stage, uint64_t epoch, char *why, size_t why_size)
{
	struct timespec times[2] = {{.tv_sec = (time_t)epoch}, {.tv_sec = (time_t)epoch}};
	/* Depth first: a directory's time is set after its entries stop changing it. */
	int r = tree_walk(stage, TREE_DEPTH, set_time, times);
	if (r < 0) {
		snprintf(why, why_size, "setting times under %s: %s", stage, strerror(-r));
		return r;
	}
	return 0;
}
