/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The build root (modules/README.md, 5): kbuild takes its flags from the
 * kernel's configuration, which assumes the compiler that built the kernel,
 * and linux-kbuild's fixdep and modpost are linked against the kernel's
 * suite's glibc, so the driver's Makefile runs inside a tree of that suite's
 * packages, not with the host's tools. What goes in is resolved by apt from
 * the archives: the headers package's own Depends (its -common package,
 * linux-kbuild, and the compiler Debian built the kernel with), the tools
 * below, and their dependency closure. The root is unpacked once, named by
 * the digest of its package list, and kept in the cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "init/base/fileio.h"
#include "modules/nvidia/modbuild.h"
#include "rootfs/deb/apt.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/keylock.h"

#define MAX_SEEDS 32

/*
 * What kbuild and the driver's Makefile and conftest.sh call besides the
 * compiler: make, a shell, coreutils, sed, grep, awk, find/xargs; libc6-dev
 * for conftest programs that include libc headers.
 */
static const char *const tools[] = {"make", "libc6-dev", "coreutils", "dash",      "bash",
                                    "sed",  "grep",      "mawk",      "findutils", "diffutils"};

/*
 * Links dpkg's maintainer scripts would make (update-alternatives, the
 * merged-usr aliases where base-files does not ship them); each only when
 * absent and when its target is there.
 */
static const struct {
	const char *path, *target;
} links[] = {
        {"bin", "usr/bin"},     {"sbin", "usr/sbin"},    {"lib", "usr/lib"},
        {"lib64", "usr/lib64"}, {"usr/bin/awk", "mawk"}, {"bin/sh", "dash"},
};

int modbuild_root_seeds(const char *depends, char (*seeds)[MODBUILD_SEED_MAX], size_t max,
                        size_t *n, char *why, size_t why_size)
{
	for (const char *p = depends; *p;) {
		size_t item = strcspn(p, ",");
		for (const char *alt = p; alt < p + item;) {
			char name[128] = "", version[128] = "";
			size_t alen = strcspn(alt, "|,");
			if (sscanf(alt, " %127[^ (:|,] (= %127[^) ])", name, version) >= 1 &&
			    strncmp(name, "linux-image-", 12) != 0) {
				if (*n == max) {
					snprintf(why, why_size, "too many Depends: %s", depends);
					return -E2BIG;
				}
				snprintf(seeds[(*n)++], sizeof(seeds[0]), "%s%s%s", name,
				         version[0] ? "=" : "", version);
				break;
			}
			alt += alen + (alt[alen] == '|');
		}
		p += item + (p[item] == ',');
	}
	return 0;
}

/* The packages, sorted by name, and the digest that names the root. */
static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct apt_name_version *)a)->name,
	              ((const struct apt_name_version *)b)->name);
}

static char *package_list(struct apt_name_version *pkgs, size_t n, char digest[65])
{
	size_t size = n * sizeof(*pkgs) + 1, used = 0;
	char *text = malloc(size);

	if (!text)
		return NULL;
	qsort(pkgs, n, sizeof(*pkgs), cmp_name);
	text[0] = '\0';
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(text + used, size - used, "%s %s\n", pkgs[i].name,
		                         pkgs[i].version);
	if (keylock_key(text, used, digest) < 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* The packages: the seeds' closure, plus the headers package without its Depends. */
static int resolve_packages(struct deb_fetch *f, const struct modbuild_opts *o,
                            const char *headers_version, struct apt_name_version **pkgs, size_t *n,
                            char *why, size_t why_size)
{
	char hdr[300], seeds[MAX_SEEDS][MODBUILD_SEED_MAX];
	const char *specs[MAX_SEEDS];
	size_t nseeds = 0;
	struct apt_pkg p;
	int r;

	snprintf(hdr, sizeof(hdr), "linux-headers-%s=%s", o->kver, headers_version);
	if ((r = deb_fetch_show(f, hdr, &p, why, why_size)) < 0)
		return r;
	/* Its kernel-image dependency is left out: it would pull in a whole boot stack. */
	const size_t ntools = sizeof(tools) / sizeof(tools[0]);
	if ((r = modbuild_root_seeds(p.depends, seeds, MAX_SEEDS - ntools, &nseeds, why,
	                             why_size)) < 0)
		return r;
	for (size_t i = 0; i < ntools; i++)
		snprintf(seeds[nseeds++], sizeof(seeds[0]), "%s", tools[i]);
	for (size_t i = 0; i < nseeds; i++)
		specs[i] = seeds[i];
	if ((r = deb_fetch_closure(f, specs, nseeds, pkgs, n, why, why_size)) < 0)
		return r;
	struct apt_name_version *more = realloc(*pkgs, (*n + 1) * sizeof(**pkgs));
	if (!more)
		return -ENOMEM;
	*pkgs = more;
	snprintf(more[*n].name, sizeof(more[0].name), "%s", p.name);
	snprintf(more[*n].version, sizeof(more[0].version), "%s", p.version);
	(*n)++;
	return 0;
}

static int add_links_and_dirs(const char *dir, char *why, size_t why_size)
{
	char path[PATH_MAX], target[PATH_MAX], slash[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		if (path_join(path, sizeof(path), dir, links[i].path) < 0)
			return -ENAMETOOLONG;
		snprintf(slash, sizeof(slash), "%s", path);
		*strrchr(slash, '/') = '\0';
		if (path_join(target, sizeof(target), slash, links[i].target) < 0)
			return -ENAMETOOLONG;
		if (lstat(path, &st) == 0 || stat(target, &st) < 0)
			continue;
		if (symlink(links[i].target, path) < 0) {
			snprintf(why, why_size, "linking %s: %s", path, strerror(errno));
			return -errno;
		}
	}
	static const struct {
		const char *name;
		mode_t mode;
	} dirs[] = {{"tmp", 01777}, {"dev", 0755}, {"build", 0755}};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (path_join(path, sizeof(path), dir, dirs[i].name) < 0)
			return -ENAMETOOLONG;
		if ((mkdir(path, dirs[i].mode) < 0 && errno != EEXIST) ||
		    chmod(path, dirs[i].mode) < 0) {
			snprintf(why, why_size, "creating %s: %s", path, strerror(errno));
			return -errno;
		}
	}
	/*
	 * kbuild and conftest.sh read and write /dev/null. root makes the device;
	 * otherwise an empty file that rootrun.c bind-mounts the host's over.
	 */
	if (path_join(path, sizeof(path), dir, "dev/null") < 0)
		return -ENAMETOOLONG;
	if (geteuid() == 0 ? mknod(path, S_IFCHR | 0666, makedev(1, 3)) < 0
	                   : write_string_file(path, "", 0) < 0) {
		snprintf(why, why_size, "creating %s: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Fetches and unpacks every package into dir (absent), then the links and /dev/null. */
static int assemble(struct deb_fetch *f, const struct apt_name_version *pkgs, size_t n,
                    const char *list, const char *dir, bool quiet, char *why, size_t why_size)
{
	char(*paths)[PATH_MAX] = calloc(n, sizeof(*paths));
	char path[PATH_MAX];
	int r = paths ? 0 : -ENOMEM;

	if (r == 0 && mkdir(dir, 0755) < 0) {
		snprintf(why, why_size, "creating %s: %s", dir, strerror(errno));
		r = -errno;
	}
	if (r == 0 && !quiet)
		fprintf(stderr,
		        "ccimage: modules: build root: fetching and unpacking %zu packages\n", n);
	if (r == 0)
		r = deb_fetch_debs(f, pkgs, n, paths, why, why_size);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = modbuild_unpack_deb(paths[i], dir, why, why_size);
	if (r == 0)
		r = add_links_and_dirs(dir, why, why_size);
	if (r == 0 && path_join(path, sizeof(path), dir, "packages.txt") < 0)
		r = -ENAMETOOLONG;
	if (r == 0 && (r = write_string_file(path, list, 0)) < 0)
		snprintf(why, why_size, "writing %s: %s", path, strerror(-r));
	free(paths);
	return r;
}

/*
 * The compiler that built the kernel, by the first word of auto.conf's
 * CONFIG_CC_VERSION_TEXT ("x86_64-linux-gnu-gcc-14 (Debian 14.2.0-19) 14.2.0"),
 * which the root must have: the headers package depends on it.
 */
static int kernel_compiler(struct modbuild_root *root, const char *kver, char *why, size_t why_size)
{
	char path[PATH_MAX], exe[PATH_MAX], *text = NULL, *p;
	size_t len;
	int r;

	if (snprintf(path, sizeof(path), "%s/usr/src/linux-headers-%s/include/config/auto.conf",
	             root->dir, kver) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if ((r = read_full_file(path, 16 << 20, &text, &len)) < 0) {
		snprintf(why, why_size, "reading %s: %s", path, strerror(-r));
		return r;
	}
	/* auto.conf has the value unquoted, .config quoted. */
	p = strstr(text, "\nCONFIG_CC_VERSION_TEXT=");
	if (p) {
		p += strlen("\nCONFIG_CC_VERSION_TEXT=");
		p += *p == '"';
	}
	if (!p || sscanf(p, "%63[A-Za-z0-9._+-]", root->cc) != 1) {
		snprintf(why, why_size, "%s: no CONFIG_CC_VERSION_TEXT naming a compiler", path);
		free(text);
		return -EINVAL;
	}
	free(text);
	if (snprintf(exe, sizeof(exe), "%s/usr/bin/%s", root->dir, root->cc) >= (int)sizeof(exe))
		return -ENAMETOOLONG;
	if (access(exe, X_OK) < 0) {
		snprintf(why, why_size,
		         "the kernel was built with %s, which the build root %s lacks (the headers "
		         "package's Depends should name it)",
		         root->cc, root->dir);
		return -ENOENT;
	}
	return 0;
}

/* What assemble_root() puts where keylock_get() found no root. */
struct root_job {
	struct deb_fetch *f;
	const struct apt_name_version *pkgs;
	size_t n;
	const char *list, *dir;
	bool quiet;
};

/* The packages unpacked beside the root's path, then renamed into it whole. */
static int assemble_root(void *ctx, char *why, size_t why_size)
{
	const struct root_job *j = ctx;
	char tmp[PATH_MAX + 8];
	int r;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", j->dir) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	remove_tree(tmp);
	r = assemble(j->f, j->pkgs, j->n, j->list, tmp, j->quiet, why, why_size);
	if (r == 0 && rename(tmp, j->dir) < 0)
		r = -errno;
	if (r < 0)
		remove_tree(tmp);
	return r;
}

int modbuild_root_prepare(struct deb_fetch *f, const struct modbuild_opts *o, const char *top,
                          const char *headers_version, struct modbuild_root *root, char *why,
                          size_t why_size)
{
	struct apt_name_version *pkgs = NULL;
	char *list = NULL;
	size_t n = 0;
	int r;

	memset(root, 0, sizeof(*root));
	if ((r = modbuild_root_can_run(why, why_size)) < 0 ||
	    (r = resolve_packages(f, o, headers_version, &pkgs, &n, why, why_size)) < 0)
		goto out;
	if (!(list = package_list(pkgs, n, root->digest))) {
		r = -ENOMEM;
		goto out;
	}
	root->npackages = (unsigned)n;
	if (snprintf(root->dir, sizeof(root->dir), "%s/root-%.32s", top, root->digest) >=
	    (int)sizeof(root->dir)) {
		r = -ENAMETOOLONG;
		goto out;
	}
	struct root_job job = {f, pkgs, n, list, root->dir, o->quiet};
	bool cached;
	/* Two module builds with the same root wait for each other, not race. */
	if ((r = keylock_get(top, root->digest, root->dir, "build root", o->cached_only,
	                     assemble_root, &job, &cached, why, why_size)) == 0)
		r = kernel_compiler(root, o->kver, why, why_size);
out:
	free(pkgs);
	free(list);
	return r;
}
