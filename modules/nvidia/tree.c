/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A kernel tree with the built modules added: an extracted kernel package
 * copied as hard links (the kernel's ~4000 files cost no space), the .ko
 * files under updates/dkms, and depmod's indexes over the result, so that
 * libkmod resolves "nvidia" there exactly as it resolves in-tree modules.
 * This is what a recipe's `kernel: root:` takes.
 *
 * OUT is the user's path: it is replaced only when it is a previous output
 * (it holds MODBUILD_TREE_MARKER) or an empty directory, written beside it
 * and renamed into place, and never inside the kernel root it copies (the
 * walk would copy its own copy) nor around it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/base/fileio.h"
#include "init/base/why.h"
#include "modules/nvidia/modbuild.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/spawn.h"
#include "rootfs/lib/staged.h"

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

/* Whether a is b or a directory under it, as real paths compare. */
static bool within(const char *a, const char *b)
{
	size_t n = strlen(b);

	return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/' || strcmp(b, "/") == 0);
}

/* out's real path when it does not exist yet: its directory's, then its name. */
static int real_out(const char *out, char *real, size_t size, char *why, size_t why_size)
{
	char dir[PATH_MAX];
	const char *slash, *base;
	size_t len = strlen(out);

	while (len > 1 && out[len - 1] == '/')
		len--;
	if (len >= sizeof(dir))
		return why_set(why, why_size, -ENAMETOOLONG, "%s", strerror(ENAMETOOLONG));
	memcpy(dir, out, len);
	dir[len] = '\0';
	slash = strrchr(dir, '/');
	base = slash ? slash + 1 : dir;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return why_set(why, why_size, -EINVAL, "name the directory itself");
	if (slash)
		dir[slash == dir ? 1 : slash - dir] = '\0';
	if (!realpath(slash ? dir : ".", real))
		return why_set(why, why_size, -errno, "its directory %s: %s", slash ? dir : ".",
		               strerror(errno));
	if (snprintf(real + strlen(real), size - strlen(real), "%s%s", strcmp(real, "/") ? "/" : "",
	             slash ? slash + 1 : dir) >= (int)size)
		return why_set(why, why_size, -ENAMETOOLONG, "%s", strerror(ENAMETOOLONG));
	return 0;
}

int modbuild_kernel_tree_check(const char *kernel_root, const char *out, char *why, size_t why_size)
{
	char root[PATH_MAX], dest[PATH_MAX], marker[PATH_MAX + 64];
	struct stat st;
	int r;

	if (!realpath(kernel_root, root))
		return why_set(why, why_size, -errno, "--kernel-root %s: %s", kernel_root,
		               strerror(errno));
	if ((r = real_out(out, dest, sizeof(dest), why, why_size)) < 0)
		return r;
	if (within(dest, root) || within(root, dest))
		return why_set(why, why_size, -EINVAL,
		               "%s %s --kernel-root %s: the tree is written beside the kernel "
		               "root, never in or around it",
		               dest, within(dest, root) ? "is in" : "holds", root);
	if (lstat(out, &st) < 0)
		return errno == ENOENT ? 0 : why_set(why, why_size, -errno, "%s", strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return why_set(why, why_size, -ENOTDIR,
		               "exists and is not a directory (nor followed)");
	snprintf(marker, sizeof(marker), "%s/%s", dest, MODBUILD_TREE_MARKER);
	if (dir_is_empty(out) || (lstat(marker, &st) == 0 && S_ISREG(st.st_mode)))
		return 0;
	return why_set(why, why_size, -EEXIST,
	               "exists, is not empty and is not a previous --kernel-tree (no %s in it): "
	               "refusing to replace it",
	               MODBUILD_TREE_MARKER);
}

/* The copy of kernel_root with the modules and depmod's indexes, in tmp. */
static int fill_tree(const struct modbuild_result *res, const char *kver, const char *kernel_root,
                     const char *tmp, char *why, size_t why_size)
{
	char dep[PATH_MAX], marker[PATH_MAX];
	int r;

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
	if (path_join(marker, sizeof(marker), tmp, MODBUILD_TREE_MARKER) < 0)
		return -ENAMETOOLONG;
	if ((r = write_string_file(marker, res->dir, 0)) < 0)
		snprintf(why, why_size, "writing %s: %s", marker, strerror(-r));
	return r;
}

int modbuild_kernel_tree(const struct modbuild_result *res, const char *kver,
                         const char *kernel_root, const char *out, char *why, size_t why_size)
{
	struct staged_dir d;
	int r;

	/* Again: the build took minutes, and OUT may have changed meanwhile. */
	if ((r = modbuild_kernel_tree_check(kernel_root, out, why, why_size)) < 0 ||
	    (r = staged_dir_begin(&d, out, MODBUILD_TREE_MARKER, why, why_size)) < 0)
		return r;
	r = fill_tree(res, kver, kernel_root, d.tmp, why, why_size);
	if (r == 0)
		r = staged_dir_commit(&d, why, why_size);
	staged_dir_abort(&d);
	return r;
}
