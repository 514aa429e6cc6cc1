/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel of a recipe: its package extracted once into the cache
 * (${CCINIT_CACHE}/kernels/NAME_VERSION/root, with depmod's indexes), the
 * kernel `ccimage kernel build` makes, or a tree the recipe points at; the
 * root's modules staged from it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/base/fileio.h"
#include "init/base/why.h"
#include "kernel-configs/kernel-build/kbuild.h"
#include "modules/nvidia/modbuild.h"
#include "modules/modules.h"
#include "rootfs/deb/apt.h"
#include "rootfs/pipeline/build.h"
#include "rootfs/lib/fsutil.h"
#include "modules/host/stage.h"

/* A kept control or copyright file; absent is no error (*out stays NULL). */
static int read_small(const char *path, char **out)
{
	size_t len;
	int r = read_full_file(path, 1 << 20, out, &len);

	if (r == -ENOENT)
		*out = NULL;
	return r == -ENOENT ? 0 : r;
}

/* The package extracted whole into the cache, once; its control and copyright kept beside. */
static int kernel_from_package(struct build *b)
{
	struct build_pkg *k = &b->kernel_pkg;
	char dir[PATH_MAX - 64], path[PATH_MAX + 32];
	int r;

	snprintf(b->kver, sizeof(b->kver), "%s", k->pin->name + strlen("linux-image-"));
	if (snprintf(dir, sizeof(dir), "%s/kernels/%s_%s", apt_cache_dir(), k->pin->name,
	             k->pin->version) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	snprintf(b->kernel_root, sizeof(b->kernel_root), "%s/root", dir);
	snprintf(path, sizeof(path), "%s/.complete", dir);
	if (!(k->idx = calloc(1, sizeof(*k->idx))) || !(k->idx->package = strdup(k->pin->name)))
		return -ENOMEM;
	if (access(path, F_OK) == 0) {
		snprintf(path, sizeof(path), "%s/control", dir);
		if ((r = read_small(path, &k->idx->control)) < 0)
			return r;
		snprintf(path, sizeof(path), "%s/copyright", dir);
		return read_small(path, &k->idx->copyright);
	}
	/*
	 * Extracted beside the final place and renamed into it: a build that
	 * stops half way, or another build doing the same, never leaves a half
	 * tree where the next build would take it for whole.
	 */
	struct deb_index *full = NULL;
	char tmp[PATH_MAX], tmproot[PATH_MAX + 8];
	if ((r = mkdir_parents(dir, 0755)) < 0) {
		snprintf(b->why, sizeof(b->why), "creating %s: %s", dir, strerror(-r));
		return r;
	}
	(void)remove_tree(dir); /* no .complete: a tree left half done by an older build */
	snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", dir);
	if (!mkdtemp(tmp) || chmod(tmp, 0755) < 0) {
		r = -errno;
		snprintf(b->why, sizeof(b->why), "creating %s: %s", tmp, strerror(errno));
		return r;
	}
	snprintf(tmproot, sizeof(tmproot), "%s/root", tmp);
	if (mkdir(tmproot, 0755) < 0)
		r = -errno;
	if (r == 0)
		r = deb_index_read(k->deb, &full, b->why, sizeof(b->why));
	if (r == 0)
		r = deb_extract(k->deb, full, tmproot, NULL, NULL, b->why, sizeof(b->why));
	if (r == 0 && (r = modstage_ensure_depmod(tmproot, b->kver)) < 0)
		snprintf(b->why, sizeof(b->why), "depmod over %s failed", tmproot);
	if (r == 0) {
		snprintf(path, sizeof(path), "%s/control", tmp);
		r = write_string_file(path, full->control ? full->control : "", 0);
	}
	if (r == 0) {
		snprintf(path, sizeof(path), "%s/copyright", tmp);
		r = write_string_file(path, full->copyright ? full->copyright : "", 0);
	}
	if (r == 0) {
		snprintf(path, sizeof(path), "%s/.complete", tmp);
		r = write_string_file(path, "", 0);
	}
	if (r == 0 && rename(tmp, dir) < 0) {
		/* Another build got there first with the same bytes: use its tree. */
		snprintf(path, sizeof(path), "%s/.complete", dir);
		r = access(path, F_OK) == 0 ? 0 : -errno;
		(void)remove_tree(tmp);
	}
	if (r < 0)
		(void)remove_tree(tmp);
	if (r == 0) {
		free(k->idx->control);
		k->idx->control = full->control;
		k->idx->copyright = full->copyright;
		full->control = full->copyright = NULL;
	}
	deb_index_free(full);
	return r;
}

/* The lock's pin of a kernel build source (lock.h: build_source, build_nvidia), or NULL. */
static const struct lock_entry *source_pin(const struct build *b, const char *name)
{
	return b->lock && name[0] ? lock_find(b->lock, name) : NULL;
}

/*
 * kernel.build: the kernel `ccimage kernel build` makes from the recipe's
 * suite or kernel.build.suite (cached; built first when the cache lacks it), used as a tree. Its
 * sources are the lock's pins: the versions given to the build, and the
 * .debs it resolved held to the pinned hashes.
 */
static int kernel_from_build(struct build *b)
{
	const struct recipe *rc = b->recipe;
	const struct lock_entry *src = source_pin(b, b->lock ? b->lock->build_source : "");
	const struct lock_entry *nv = source_pin(b, b->lock ? b->lock->build_nvidia : "");
	const struct kbuild_opts o = {
	        .source_version = src ? src->version : rc->kernel.build_source_version,
	        .nvidia_version = nv ? nv->version : rc->kernel.build_nvidia_version,
	        .no_nvidia = rc->kernel.build_no_nvidia,
	        .suite = rc->kernel.build_suite ? rc->kernel.build_suite : rc->debian.suite,
	        .mirror = rc->debian.mirror,
	        .security_mirror = rc->debian.security_mirror,
	        .quiet = b->quiet};
	struct kbuild_result res;
	char why[1024] = "";
	int r = kbuild_run(&o, &res, why, sizeof(why));

	if (r < 0)
		return why_set(b->why, sizeof(b->why), r, "kernel.build: %s", why_or_errno(why, r));
	snprintf(b->kernel_root, sizeof(b->kernel_root), "%s", res.root);
	snprintf(b->kver, sizeof(b->kver), "%s", res.kver);
	/* For the SBOM: what the kernel was built from (no copyright file read: NOASSERTION). */
	for (size_t i = 0; i < res.nsources; i++) {
		const struct apt_pkg *p = &res.sources[i];
		const struct lock_entry *locked = source_pin(b, p->name);
		if (locked && strcmp(locked->sha256, p->sha256) != 0)
			return why_set(b->why, sizeof(b->why), -EPROTO,
			               "kernel.build: %s %s has sha256 %s in the archive, the lock "
			               "pins %s",
			               p->name, p->version, p->sha256, locked->sha256);
		b->kernel_sources[i] = *p;
		apt_file_url(rc, p->filename, b->kernel_source_urls[i],
		             sizeof(b->kernel_source_urls[i]));
	}
	b->nkernel_sources = res.nsources;
	snprintf(b->kernel_built, sizeof(b->kernel_built),
	         "ccimage kernel build: linux-source %s, %s %s, key %s, module certificate "
	         "sha256:%s",
	         res.source_version, MODBUILD_SOURCE_DEFAULT,
	         res.nvidia_version[0] ? res.nvidia_version : "none", res.key, res.cert_sha256);
	return 0;
}

static int kernel_from_tree(struct build *b)
{
	char dir[PATH_MAX + 16];
	struct dirent *de;
	DIR *d;

	snprintf(b->kernel_root, sizeof(b->kernel_root), "%s", b->recipe->kernel.root);
	if (b->recipe->kernel.version) {
		snprintf(b->kver, sizeof(b->kver), "%s", b->recipe->kernel.version);
		return 0;
	}
	/* lib/modules, or usr/lib/modules in a usr-merged tree (Debian 13's packages). */
	snprintf(dir, sizeof(dir), "%s/lib/modules", b->kernel_root);
	if (!(d = opendir(dir))) {
		snprintf(dir, sizeof(dir), "%s/usr/lib/modules", b->kernel_root);
		d = opendir(dir);
	}
	if (!d) {
		snprintf(b->why, sizeof(b->why), "kernel.root: %s/lib/modules: %s", b->kernel_root,
		         strerror(errno));
		return -ENOENT;
	}
	unsigned count = 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && count++ == 0)
			snprintf(b->kver, sizeof(b->kver), "%s", de->d_name);
	closedir(d);
	if (count != 1) {
		snprintf(b->why, sizeof(b->why),
		         "kernel.root: %s holds %u kernels: say which with kernel.version", dir,
		         count);
		return -EINVAL;
	}
	return 0;
}

/* The names of a recipe's module list (profiles expanded), with their optional flags. */
int build_module_names(const struct recipe_modules *m, const char ***names, bool **optional,
                       size_t *count, char *why, size_t why_size)
{
	size_t cap = m->nmodules;

	for (size_t i = 0; i < m->nprofiles; i++) {
		const struct module_profile *p = module_profile_find(m->profiles[i]);
		if (!p) {
			snprintf(why, why_size, "unknown module profile '%s'", m->profiles[i]);
			return -EINVAL;
		}
		cap += p->count;
	}
	*names = calloc(cap + 1, sizeof(char *));
	*optional = calloc(cap + 1, sizeof(bool));
	*count = 0;
	if (!*names || !*optional)
		return -ENOMEM;
	for (size_t i = 0; i < m->nprofiles; i++) {
		const struct module_profile *p = module_profile_find(m->profiles[i]);
		for (size_t j = 0; j < p->count; j++) {
			(*optional)[*count] = p->modules[j].optional;
			(*names)[(*count)++] = p->modules[j].name;
		}
	}
	for (size_t i = 0; i < m->nmodules; i++)
		(*names)[(*count)++] = m->modules[i];
	return 0;
}

struct record {
	struct build *b;
	size_t stage_len; /* of the stage's real path: image paths follow it */
};

static int record_module(const char *path, const struct stat *st, void *userdata)
{
	struct record *rec = userdata;

	if (S_ISDIR(st->st_mode) || S_ISLNK(st->st_mode))
		return 0;
	const char *pkg = rec->b->kernel_pkg.pin ? rec->b->kernel_pkg.pin->name : NULL;
	return origins_add(&rec->b->origins, path + rec->stage_len, pkg,
	                   "kernel.root-modules (with dependencies)") < 0
	               ? -ENOMEM
	               : 0;
}

/*
 * The staged modules under the names the image has: on a usr-merged root
 * /lib is a link, so the files are /usr/lib/modules/... (the walk follows
 * no links, hence the real paths).
 */
static int record_modules(struct build *b)
{
	char dir[PATH_MAX + 16], real[PATH_MAX], stage[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/lib/modules", b->stage);
	if (!realpath(dir, real) || !realpath(b->stage, stage))
		return -errno;
	struct record rec = {.b = b, .stage_len = strlen(stage)};
	return tree_walk(real, 0, record_module, &rec);
}

int build_kernel(struct build *b)
{
	const struct recipe *rc = b->recipe;
	const char **names = NULL;
	bool *optional = NULL;
	size_t count = 0;
	int r;

	if (!rc->kernel.package && !rc->kernel.root && !rc->kernel.build)
		return 0;
	r = rc->kernel.package ? kernel_from_package(b)
	    : rc->kernel.build ? kernel_from_build(b)
	                       : kernel_from_tree(b);
	if (r < 0 || !(rc->kernel.root_modules.nprofiles + rc->kernel.root_modules.nmodules))
		return r;
	r = build_module_names(&rc->kernel.root_modules, &names, &optional, &count, b->why,
	                       sizeof(b->why));
	if (r == 0)
		r = modstage(b->kernel_root, b->kver, b->stage, names, optional, count,
		             MODSTAGE_AS_SHIPPED, &b->root_modules, b->why, sizeof(b->why));
	free(names);
	free(optional);
	return r == 0 ? record_modules(b) : r;
}
