/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The driver's source as both builds take it (the module build for Debian's
 * kernel, in its build root, and the guest kernel build, in the kernel's own
 * tree): Debian's source package unpacked, the directory holding the
 * driver's Makefile found, our compat fixes applied against the kernel the
 * modules are for. And the check every built module must pass: its vermagic
 * names that kernel.
 */
#include <errno.h>
#include <glob.h>
#include <libkmod.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "init/base/why.h"
#include "modules/nvidia/modbuild.h"
#include "rootfs/lib/fsutil.h"

/* The one path dir/pattern matches, into out; -ENOENT with why when none or several. */
static int glob_one(const char *dir, const char *pattern, const char *pkg, char *out, size_t size,
                    char *why, size_t why_size)
{
	char full[PATH_MAX + 64];
	glob_t g;
	int r = 0;

	if (snprintf(full, sizeof(full), "%s/%s", dir, pattern) >= (int)sizeof(full))
		return -ENAMETOOLONG;
	if (glob(full, 0, NULL, &g) != 0 || g.gl_pathc != 1)
		r = why_set(why, why_size, -ENOENT, "%s: no single %s", pkg, pattern);
	else if (snprintf(out, size, "%s", g.gl_pathv[0]) >= (int)size)
		r = -ENAMETOOLONG;
	globfree(&g);
	return r;
}

int modbuild_source_prepare(struct deb_fetch *f, const char *pkg, const char *version,
                            const char *work, const char *kernel_src, char *srcdir,
                            size_t srcdir_size, char *applied, size_t applied_size, char *why,
                            size_t why_size)
{
	char pkgdir[PATH_MAX], deb[PATH_MAX], src[PATH_MAX], tarball[PATH_MAX], kbuild[PATH_MAX];
	int r;

	if (path_join(pkgdir, sizeof(pkgdir), work, "pkg") < 0 ||
	    path_join(src, sizeof(src), work, "src") < 0)
		return -ENAMETOOLONG;
	if ((r = deb_fetch_deb(f, pkg, version, deb, sizeof(deb), why, why_size)) < 0 ||
	    (r = modbuild_unpack_deb(deb, pkgdir, why, why_size)) < 0 ||
	    (r = glob_one(pkgdir, "usr/src/nvidia*.tar.xz", pkg, tarball, sizeof(tarball), why,
	                  why_size)) < 0)
		return r;
	if (mkdir(src, 0755) < 0 && errno != EEXIST)
		return -errno;
	if ((r = modbuild_unpack_tar(tarball, src, why, why_size)) < 0 ||
	    (r = glob_one(src, "modules/*/Kbuild", pkg, kbuild, sizeof(kbuild), why, why_size)) < 0)
		return r;
	/* The driver's source directory is the one holding its Kbuild. */
	if (snprintf(srcdir, srcdir_size, "%.*s", (int)(strlen(kbuild) - strlen("/Kbuild")),
	             kbuild) >= (int)srcdir_size)
		return -ENAMETOOLONG;
	return modbuild_compat_apply(kernel_src, srcdir, applied, applied_size, why, why_size);
}

int modbuild_check_vermagic(const char *path, const char *kver, char *why, size_t why_size)
{
	struct kmod_ctx *ctx = kmod_new(NULL, (const char *const[]){NULL});
	struct kmod_module *mod = NULL;
	struct kmod_list *info = NULL, *l;
	size_t klen = strlen(kver);
	int r;

	if (!ctx)
		return -ENOMEM;
	if ((r = kmod_module_new_from_path(ctx, path, &mod)) < 0) {
		snprintf(why, why_size, "%s: %s", path, strerror(-r));
		kmod_unref(ctx);
		return r;
	}
	r = -ENOEXEC;
	if (kmod_module_get_info(mod, &info) >= 0) {
		kmod_list_foreach(l, info)
		{
			const char *k = kmod_module_info_get_key(l);
			const char *v = kmod_module_info_get_value(l);
			if (k && v && strcmp(k, "vermagic") == 0)
				r = strncmp(v, kver, klen) == 0 && v[klen] == ' ' ? 0 : -ENOEXEC;
		}
		kmod_module_info_free_list(info);
	}
	kmod_module_unref(mod);
	kmod_unref(ctx);
	if (r < 0)
		snprintf(why, why_size, "%s: vermagic is not for %s", path, kver);
	return r;
}
