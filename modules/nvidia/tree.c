/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A kernel tree with the built modules added: an extracted kernel package
 * copied as hard links (the kernel's ~4000 files cost no space), the .ko
 * files under updates/dkms, and depmod's indexes over the result, so that
 * libkmod resolves "nvidia" there exactly as it resolves in-tree modules.
 * This is what a recipe's `kernel: root:` takes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/lib/fsutil.h"
#include "modules/nvidia/modbuild.h"
#include "rootfs/lib/spawn.h"

struct copy {
	const char *from, *to;
};

static int copy_entry(const char *path, const struct stat *st, void *userdata)
{
	const struct copy *c = userdata;
	char dest[PATH_MAX], target[PATH_MAX];
	const char *rel = path + strlen(c->from);
	ssize_t n;

	if (snprintf(dest, sizeof(dest), "%s%s", c->to, rel) >= (int)sizeof(dest))
		return -ENAMETOOLONG;
	if (S_ISDIR(st->st_mode))
		return mkdir(dest, st->st_mode & 07777) < 0 && errno != EEXIST ? -errno : 0;
	if (S_ISLNK(st->st_mode)) {
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = 0;
		return symlink(target, dest) < 0 ? -errno : 0;
	}
	if (link(path, dest) == 0)
		return 0;
	if (errno != EXDEV && errno != EPERM && errno != EMLINK)
		return -errno;
	return copy_file(path, dest, st->st_mode & 07777);
}

int modbuild_kernel_tree(const struct modbuild_result *res, const char *kver,
                         const char *kernel_root, const char *out, char *why, size_t why_size)
{
	char tmp[PATH_MAX], dep[PATH_MAX];
	int r;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", out) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	remove_tree(tmp);
	r = tree_walk(kernel_root, 0, copy_entry, &(struct copy){kernel_root, tmp});
	if (r < 0) {
		snprintf(why, why_size, "copying %s to %s: %s", kernel_root, tmp, strerror(-r));
		return r;
	}
	/* The hard-linked indexes must be replaced, never written through. */
	static const char *const indexes[] = {"modules.dep",         "modules.dep.bin",
	                                      "modules.alias",       "modules.alias.bin",
	                                      "modules.symbols",     "modules.symbols.bin",
	                                      "modules.softdep",     "modules.devname",
	                                      "modules.builtin.bin", "modules.builtin.alias.bin"};
	for (size_t i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++) {
		if (snprintf(dep, sizeof(dep), "%s/lib/modules/%s/%s", tmp, kver, indexes[i]) <
		    (int)sizeof(dep))
			unlink(dep);
	}
	if ((r = modbuild_install(res, kver, tmp, why, why_size)) < 0)
		return r;
	const char *argv[] = {"depmod", "-b", tmp, kver, NULL};
	if ((r = spawn_run(argv, NULL, why, why_size)) < 0)
		return r;
	remove_tree(out);
	if (rename(tmp, out) < 0) {
		snprintf(why, why_size, "renaming %s: %s", tmp, strerror(errno));
		return -errno;
	}
	return 0;
}
