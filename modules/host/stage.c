/* SPDX-License-Identifier: Apache-2.0 */
#include "modules/host/stage.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modules/host/decompress.h"
#include "modules/modules.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/spawn.h"

struct stage {
	const char *moddir;  /* source: <kernel-root>/{,usr/}lib/modules/<kver> */
	char dest[PATH_MAX]; /* staging: <dest>/lib/modules/<kver> */
	enum modstage_files files;
	unsigned copied;
	char why[512]; /* a module that would not unpack */
};

static int stage_module(const char *relpath, void *userdata)
{
	struct stage *s = userdata;
	char from[PATH_MAX], to[PATH_MAX], plain[PATH_MAX];
	bool unpack = s->files == MODSTAGE_DECOMPRESS &&
	              module_unpacked_name(relpath, plain, sizeof(plain));
	/* Staged as NAME.ko, the depmod run over the staged set indexes that name. */
	if (path_join(from, sizeof(from), s->moddir, relpath) < 0 ||
	    path_join(to, sizeof(to), s->dest, unpack ? plain : relpath) < 0)
		return -ENAMETOOLONG;
	if (access(to, F_OK) == 0)
		return 0; /* shared dependency, already staged */
	int r = mkdir_parents(to, 0755);
	if (r < 0)
		return r;
	s->copied++;
	if (unpack)
		return module_decompress(from, to, s->why, sizeof(s->why));
	return copy_file(from, to, 0644);
}

/* The files depmod reads besides the modules: the order and what is built in. */
static const char *const depmod_inputs[] = {"modules.order", "modules.builtin",
                                            "modules.builtin.modinfo"};

int modstage_moddir(const char *kernel_root, const char *kver, char *buf, size_t size)
{
	static const char *const layouts[] = {"lib/modules", "usr/lib/modules"};
	struct stat st;

	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		if (snprintf(buf, size, "%s/%s/%s", kernel_root, layouts[i], kver) >= (int)size)
			return -ENAMETOOLONG;
		if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
	}
	snprintf(buf, size, "%s/lib/modules/%s", kernel_root, kver);
	return -ENOENT;
}

/*
 * depmod -b BASE looks in BASE/lib/modules (kmod 30, Debian 12's) or in
 * BASE/usr/lib/modules (a kmod built for a usr-merged system, Debian 13's).
 * A scratch base where both are links to the tree's modules directory (the
 * parent of moddir) serves either depmod with either layout; depmod writes
 * its indexes through the link into the tree.
 */
static int depmod_at(const char *moddir, const char *kver)
{
	static const char *const links[] = {"lib/modules", "usr/lib/modules"};
	char base[] = "/tmp/ccimage-depmod-XXXXXX", parent[PATH_MAX], path[PATH_MAX];
	int r = 0;

	/* Absolute, for a link that works from anywhere; the parent of moddir is what it names. */
	if (!realpath(moddir, parent))
		return -errno;
	*strrchr(parent, '/') = '\0';
	if (!mkdtemp(base))
		return -errno;
	for (size_t i = 0; r == 0 && i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", base, links[i]);
		r = mkdir_parents(path, 0755);
		if (r == 0 && symlink(parent, path) < 0)
			r = -errno;
	}
	if (r == 0) {
		const char *argv[] = {"depmod", "-b", base, kver, NULL};
		r = spawn_wait(argv);
	}
	(void)remove_tree(base); /* the links only: remove_tree follows none */
	return r;
}

int modstage_ensure_depmod(const char *kernel_root, const char *kver)
{
	char moddir[PATH_MAX], dep[PATH_MAX + 32];
	int r = modstage_moddir(kernel_root, kver, moddir, sizeof(moddir));
	if (r < 0)
		return r;
	snprintf(dep, sizeof(dep), "%s/modules.dep.bin", moddir);
	if (access(dep, F_OK) == 0)
		return 0;
	return depmod_at(moddir, kver);
}

int modstage(const char *kernel_root, const char *kver, const char *dest_root,
             const char *const *names, const bool *optional, size_t count,
             enum modstage_files files, unsigned *copied, char *why, size_t why_size)
{
	char moddir[PATH_MAX];
	struct modules_ctx *m = NULL;
	struct stage s = {.moddir = moddir, .files = files};
	int r;

	*copied = 0;
	if (snprintf(s.dest, sizeof(s.dest), "%s/lib/modules/%s", dest_root, kver) >=
	    (int)sizeof(s.dest))
		return -ENAMETOOLONG;
	r = modstage_moddir(kernel_root, kver, moddir, sizeof(moddir));
	if (r < 0) {
		snprintf(why, why_size, "%s: no modules for kernel %s (nor under usr/lib/modules)",
		         moddir, kver);
		return r;
	}
	r = modstage_ensure_depmod(kernel_root, kver);
	if (r < 0) {
		snprintf(why, why_size, "depmod over %s failed", moddir);
		return r;
	}
	r = modules_new(moddir, &m);
	if (r < 0) {
		snprintf(why, why_size, "libkmod over %s: %s", moddir, strerror(-r));
		return r;
	}
	for (size_t i = 0; i < count && r >= 0; i++) {
		char w[512] = "";
		r = modules_resolve(m, names[i], stage_module, &s, w, sizeof(w));
		if (r == -ENOENT && optional && optional[i])
			r = 0;
		else if (r < 0 && s.why[0])
			snprintf(why, why_size, "module %s: %s", names[i], s.why);
		else if (r < 0)
			snprintf(why, why_size, "module %s: %s: %s", names[i], w, strerror(-r));
	}
	modules_free(m);
	if (r < 0)
		return r;
	r = mkdir_parents(s.dest, 0755);
	if (r == 0 && access(s.dest, F_OK) < 0 && mkdir(s.dest, 0755) < 0)
		r = -errno;
	for (size_t i = 0; r == 0 && i < sizeof(depmod_inputs) / sizeof(depmod_inputs[0]); i++) {
		char from[PATH_MAX], to[PATH_MAX];
		if (path_join(from, sizeof(from), moddir, depmod_inputs[i]) < 0 ||
		    path_join(to, sizeof(to), s.dest, depmod_inputs[i]) < 0)
			return -ENAMETOOLONG;
		if (access(from, F_OK) == 0)
			r = copy_file(from, to, 0644);
	}
	if (r < 0) {
		snprintf(why, why_size, "copying depmod inputs to %s: %s", s.dest, strerror(-r));
		return r;
	}
	r = depmod_at(s.dest, kver);
	if (r < 0) {
		snprintf(why, why_size, "depmod -b %s %s failed", dest_root, kver);
		return r;
	}
	*copied = s.copied;
	return 0;
}
