/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ccimage lock`'s resolver: a recipe's packages, its kernel and a built
 * kernel's sources, asked of apt and pinned. It sits in the pipeline, not
 * beside the lock file's format (rootfs/recipe/lock.c), because it needs apt
 * and the names the kernel and NVIDIA module builds take their sources by.
 */
#include "rootfs/pipeline/lock_resolve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel-configs/kernel-build/kbuild.h"
#include "modules/nvidia/modbuild.h"

/* The linux-image-<version> a metapackage depends on (first such dependency). */
static int kernel_from_depends(const char *depends, char *out, size_t size)
{
	for (const char *p = depends; (p = strstr(p, "linux-image-")); p++) {
		if (p != depends && p[-1] != ' ' && p[-1] != ',' && p[-1] != '|')
			continue;
		const char *v = p + strlen("linux-image-");
		if (*v < '0' || *v > '9')
			continue;
		size_t len = strcspn(p, " ,|(");
		if (len >= size)
			return -ENAMETOOLONG;
		memcpy(out, p, len);
		out[len] = '\0';
		return 0;
	}
	return -ENOENT;
}

static int add_pkg(struct lock *l, const struct apt_pkg *p)
{
	return lock_append(l, p->name, p->version, p->arch, p->sha256, p->size, p->filename)
	               ? 0
	               : -ENOMEM;
}

/*
 * kernel.build's sources: linux-source-X.Y at the recipe's version or the
 * linux-source metapackage's, and nvidia-open-kernel-source (unless
 * nvidia: false), pinned like any package, so the build takes these.
 */
static int resolve_kernel_build(const struct recipe *r, struct apt *a, struct lock *l, char *why,
                                size_t why_size)
{
	char version[128], name[160], spec[300];
	struct apt_pkg p;
	int rc = 0;

	if (r->kernel.build_source_version)
		lock_put(version, sizeof(version), r->kernel.build_source_version);
	else if ((rc = apt_show(a, KBUILD_SOURCE_META, &p, why, why_size)) == 0)
		lock_put(version, sizeof(version), p.version);
	if (rc < 0)
		return rc;
	if ((rc = kbuild_source_package(version, name, sizeof(name))) < 0) {
		snprintf(why, why_size, "kernel.build: source version '%s': not a kernel version",
		         version);
		return rc;
	}
	snprintf(spec, sizeof(spec), "%s=%s", name, version);
	if ((rc = apt_show(a, spec, &p, why, why_size)) < 0 || (rc = add_pkg(l, &p)) < 0)
		return rc;
	lock_put(l->build_source, sizeof(l->build_source), p.name);
	if (r->kernel.build_no_nvidia)
		return 0;
	if (r->kernel.build_nvidia_version)
		snprintf(spec, sizeof(spec), "%s=%s", MODBUILD_SOURCE_DEFAULT,
		         r->kernel.build_nvidia_version);
	else
		lock_put(spec, sizeof(spec), MODBUILD_SOURCE_DEFAULT);
	if ((rc = apt_show(a, spec, &p, why, why_size)) == -ENOENT)
		snprintf(why, why_size,
		         "kernel.build: the recipe's archives have no %s (it is in contrib: add "
		         "contrib to debian.components, or set kernel.build.nvidia: false)",
		         spec);
	if (rc < 0 || (rc = add_pkg(l, &p)) < 0)
		return rc;
	lock_put(l->build_nvidia, sizeof(l->build_nvidia), p.name);
	return 0;
}

int lock_resolve(const struct recipe *r, struct apt *a, struct lock **ret, char *why,
                 size_t why_size)
{
	struct lock *l = calloc(1, sizeof(*l));
	struct apt_pkg p;
	int rc = 0;

	*ret = NULL;
	if (!l)
		return -ENOMEM;
	lock_put(l->recipe, sizeof(l->recipe), r->name);
	if (r->npackages) {
		const char **names = calloc(r->npackages, sizeof(char *));
		struct apt_pkg *all = calloc(r->npackages, sizeof(*all));
		if (!names || !all)
			rc = -ENOMEM;
		for (size_t i = 0; rc == 0 && i < r->npackages; i++)
			names[i] = r->packages[i].name;
		if (rc == 0)
			rc = apt_show_many(a, names, r->npackages, all, why, why_size);
		for (size_t i = 0; i < r->npackages && rc == 0; i++) {
			if (!all[i].name[0]) {
				snprintf(why, why_size, "the recipe's archives have no package %s",
				         r->packages[i].name);
				rc = -ENOENT;
			} else {
				rc = add_pkg(l, &all[i]);
			}
		}
		free(names);
		free(all);
	}
	if (rc == 0 && r->kernel.package) {
		char real[128];
		lock_put(l->kernel_spec, sizeof(l->kernel_spec), r->kernel.package);
		rc = apt_show(a, r->kernel.package, &p, why, why_size);
		if (rc == 0 && kernel_from_depends(p.name, real, sizeof(real)) == 0) {
			lock_put(l->kernel_pkg, sizeof(l->kernel_pkg), real);
		} else if (rc == 0) {
			if (kernel_from_depends(p.depends, real, sizeof(real)) < 0) {
				snprintf(why, why_size,
				         "kernel package %s is neither linux-image-<version> nor "
				         "depends on one",
				         r->kernel.package);
				rc = -ENOENT;
			} else {
				lock_put(l->kernel_pkg, sizeof(l->kernel_pkg), real);
				rc = apt_show(a, real, &p, why, why_size);
			}
		}
		if (rc == 0 && !lock_find(l, p.name))
			rc = add_pkg(l, &p);
	}
	if (rc == 0 && r->kernel.build && r->kernel.build_suite) {
		struct apt *ka = NULL;
		if ((rc = apt_open_suite(r, r->kernel.build_suite, apt_quiet(a), &ka, why,
		                         why_size)) == 0 &&
		    (rc = apt_update(ka, true, why, why_size)) == 0)
			rc = resolve_kernel_build(r, ka, l, why, why_size);
		apt_free(ka);
	} else if (rc == 0 && r->kernel.build) {
		rc = resolve_kernel_build(r, a, l, why, why_size);
	}
	if (rc < 0)
		return lock_free(l), rc;
	lock_sort(l);
	*ret = l;
	return 0;
}
