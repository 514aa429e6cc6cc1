/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The NVIDIA module build: resolve versions, make (or find) the build root
 * of the kernel's suite (buildroot.c: compiler, tools, headers), look in the
 * cache, else unpack the source package into the root, apply our compat
 * fixes, run the driver's own Makefile inside the root with the compiler
 * that built the kernel, and keep the stripped .ko files under a key naming
 * every input. The source sits at a path fixed by the key and its prefix is
 * mapped away, so the bytes do not depend on where the cache is.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rootfs/deb/apt.h"
#include "rootfs/deb/extract.h"
#include "rootfs/lib/digest.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/keylock.h"
#include "modules/nvidia/modbuild.h"
#include "rootfs/lib/spawn.h"

#define MAX_MODULES 8

struct modbuild {
	const struct modbuild_opts *o;
	struct deb_fetch fetch;
	struct modbuild_root root;
	char cache[PATH_MAX], top[PATH_MAX], work[PATH_MAX];
	/* work and srcdir are host paths inside the root; the _in ones as the root sees them */
	char work_in[64], common_in[PATH_MAX], srcdir[PATH_MAX];
	const char *srcdir_in;
	char names[MAX_MODULES][64];
	unsigned nnames;
	char cc_line[256], compat[256];
	char key_text[2048];
	struct modbuild_result *res; /* the key's paths and versions, for build() */
};

static void progress(const struct modbuild *b, const char *what, const char *arg)
{
	if (!b->o->quiet)
		fprintf(stderr, "ccimage: modules: %s %s\n", what, arg);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int split_modules(struct modbuild *b, const char *list, char *why, size_t why_size)
{
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, " ,");
		if (n) {
			if (b->nnames == MAX_MODULES || n >= sizeof(b->names[0])) {
				snprintf(why, why_size, "too many or too long module names in '%s'",
				         list);
				return -EINVAL;
			}
			for (size_t i = 0; i < n; i++)
				if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789-_", p[i])) {
					snprintf(why, why_size, "bad module name in '%s'", list);
					return -EINVAL;
				}
			memcpy(b->names[b->nnames], p, n);
			b->names[b->nnames++][n] = '\0';
		}
		p += n + (p[n] != '\0');
	}
	if (!b->nnames) {
		snprintf(why, why_size, "no modules to build");
		return -EINVAL;
	}
	return 0;
}

/* The compiler is part of the key by what it says it is, not by its name. */
static int compiler_line(struct modbuild *b, const char *cc, char *why, size_t why_size)
{
	const char *argv[] = {cc, "--version", NULL};
	char *out = NULL;
	const struct spawn_io io = {.capture = &out};
	int r = modbuild_root_run(&b->root, argv, &io, why, why_size);

	if (r == 0) {
		out[strcspn(out, "\n")] = '\0';
		snprintf(b->cc_line, sizeof(b->cc_line), "%.255s", out);
	}
	free(out);
	return r;
}

/*
 * Debian splits the headers three ways; the flavour package's Makefile
 * includes the -common one's, which holds the kernel's own sources.
 */
static int find_common(struct modbuild *b, char *why, size_t why_size)
{
	char path[PATH_MAX], line[512], *p, *end;
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/usr/src/linux-headers-%s/Makefile", b->root.dir,
	             b->o->kver) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f || !fgets(line, sizeof(line), f) || !(p = strstr(line, "/usr/src/")) ||
	    !(end = strstr(p, "/Makefile"))) {
		if (f)
			fclose(f);
		snprintf(why, why_size, "%s: no 'include /usr/src/<common>/Makefile' line", path);
		return -EINVAL;
	}
	fclose(f);
	*end = '\0';
	if (strchr(p + strlen("/usr/src/"), '/') ||
	    snprintf(b->common_in, sizeof(b->common_in), "%s", p) >= (int)sizeof(b->common_in))
		return -EINVAL;
	return 0;
}

static int run_make(struct modbuild *b, const char *cc, char *why, size_t why_size)
{
	char jobs[16], sysssrc[PATH_MAX + 8], sysout[PATH_MAX + 8], mods[600], ccarg[300];
	char kcflags[128], log[PATH_MAX];
	size_t used = 0;
	int fd, r;

	snprintf(jobs, sizeof(jobs), "-j%u", b->o->jobs ? b->o->jobs : 2);
	snprintf(sysssrc, sizeof(sysssrc), "SYSSRC=%s", b->common_in);
	snprintf(sysout, sizeof(sysout), "SYSOUT=/usr/src/linux-headers-%s", b->o->kver);
	used = (size_t)snprintf(mods, sizeof(mods), "NV_KERNEL_MODULES=");
	for (unsigned i = 0; i < b->nnames; i++)
		used += (size_t)snprintf(mods + used, sizeof(mods) - used, "%s%s", i ? " " : "",
		                         b->names[i]);
	snprintf(ccarg, sizeof(ccarg), "CC=%s", cc);
	/* Paths into the build directory must not reach the module's bytes. */
	snprintf(kcflags, sizeof(kcflags), "KCFLAGS=-ffile-prefix-map=%s/=", b->work_in);
	const char *argv[] = {"make", "-C", b->srcdir_in, jobs,    "modules", sysssrc,
	                      sysout, mods, ccarg,        kcflags, NULL};

	if (path_join(log, sizeof(log), b->work, "build.log") < 0)
		return -ENAMETOOLONG;
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	progress(b, "building in the build root, log:", log);
	r = modbuild_root_run(&b->root, argv, &(const struct spawn_io){.log_fd = fd}, why,
	                      why_size);
	close(fd);
	if (r == -ECHILD) {
		size_t len = strlen(why);
		snprintf(why + len, why_size - len, "; see %s", log);
	}
	return r;
}

static int collect(struct modbuild *b, const char *tmpdir, char *why, size_t why_size)
{
	char from[PATH_MAX], to[PATH_MAX], name[80], hex[65];
	size_t used = strlen(b->key_text);
	int r = 0;

	for (unsigned i = 0; r == 0 && i < b->nnames; i++) {
		snprintf(name, sizeof(name), "%s.ko", b->names[i]);
		if (path_join(from, sizeof(from), b->srcdir, name) < 0 ||
		    path_join(to, sizeof(to), tmpdir, name) < 0)
			return -ENAMETOOLONG;
		if (access(from, F_OK) < 0) {
			snprintf(why, why_size, "%s: %s (not built?)", from, strerror(errno));
			r = -ENOENT;
			break;
		}
		/* As the kernel's INSTALL_MOD_STRIP=1: debug info off, symbols kept. */
		const char *argv[] = {"strip", "--strip-debug", from + strlen(b->root.dir), NULL};
		if ((r = modbuild_root_run(&b->root, argv, NULL, why, why_size)) < 0)
			break;
		if ((r = copy_file(from, to, 0644)) < 0) {
			snprintf(why, why_size, "copying %s: %s", from, strerror(-r));
			break;
		}
		if ((r = modbuild_check_vermagic(to, b->o->kver, why, why_size)) < 0)
			break;
		if ((r = digest_file_hex(to, hex)) < 0)
			break;
		used += (size_t)snprintf(b->key_text + used, sizeof(b->key_text) - used,
		                         "output %s sha256:%s\n", name, hex);
		if (used >= sizeof(b->key_text))
			r = -ENAMETOOLONG;
	}
	return r;
}

static int write_key(const char *dir, const char *text)
{
	char path[PATH_MAX];
	int fd, r = 0;
	size_t len = strlen(text);

	if (path_join(path, sizeof(path), dir, "key.txt") < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

/* What keylock_get() calls when the cache has no modules for the key. */
static int build(void *ctx, char *why, size_t why_size)
{
	struct modbuild *b = ctx;
	struct modbuild_result *res = b->res;
	const struct modbuild_opts *o = b->o;
	char tmpdir[PATH_MAX + 8], common[PATH_MAX];
	int r;

	progress(b, "no cached build, building", res->key);
	remove_tree(b->work);
	if (mkdir(b->work, 0755) < 0) {
		snprintf(why, why_size, "creating %s: %s", b->work, strerror(errno));
		return -errno;
	}
	if ((r = find_common(b, why, why_size)) < 0)
		return r;
	if (snprintf(common, sizeof(common), "%s%s", b->root.dir, b->common_in) >=
	    (int)sizeof(common))
		return -ENAMETOOLONG;
	progress(b, "fetching", o->source_package ? o->source_package : MODBUILD_SOURCE_DEFAULT);
	r = modbuild_source_prepare(&b->fetch,
	                            o->source_package ? o->source_package : MODBUILD_SOURCE_DEFAULT,
	                            res->source_version, b->work, common, b->srcdir,
	                            sizeof(b->srcdir), b->compat, sizeof(b->compat), why, why_size);
	if (r < 0)
		return r;
	b->srcdir_in = b->srcdir + strlen(b->root.dir);
	if (b->compat[0])
		progress(b, "compat fixes applied:", b->compat);
	if ((r = run_make(b, o->cc ? o->cc : b->root.cc, why, why_size)) < 0)
		return r;
	size_t used = strlen(b->key_text);
	snprintf(b->key_text + used, sizeof(b->key_text) - used, "applied %s\n",
	         b->compat[0] ? b->compat : "-");

	snprintf(tmpdir, sizeof(tmpdir), "%s.tmp", res->dir);
	remove_tree(tmpdir);
	if (mkdir(tmpdir, 0755) < 0)
		return -errno;
	if ((r = collect(b, tmpdir, why, why_size)) < 0 || (r = write_key(tmpdir, b->key_text)) < 0)
		return r;
	/* The key names the root by digest; its package list stays beside the modules. */
	char list[PATH_MAX], list_copy[PATH_MAX + 32];
	snprintf(list_copy, sizeof(list_copy), "%s/buildroot-packages.txt", tmpdir);
	if (path_join(list, sizeof(list), b->root.dir, "packages.txt") < 0 ||
	    (r = copy_file(list, list_copy, 0644)) < 0)
		return r < 0 ? r : -ENAMETOOLONG;
	if (rename(tmpdir, res->dir) < 0)
		return -errno;
	remove_tree(b->work);
	return 0;
}

static unsigned count_modules(const char *dir)
{
	char pattern[PATH_MAX + 8];
	glob_t g;
	unsigned n = 0;

	snprintf(pattern, sizeof(pattern), "%s/*.ko", dir);
	if (glob(pattern, 0, NULL, &g) == 0)
		n = (unsigned)g.gl_pathc;
	globfree(&g);
	return n;
}

/*
 * pkg's version: the one given, which the archives must have (else a pin
 * fails only when the build fetches it, minutes later, as a download error),
 * or apt's candidate.
 */
static int version_of(struct modbuild *b, const char *pkg, const char *given, char *version,
                      size_t size, char *why, size_t why_size)
{
	char spec[300];
	struct apt_pkg p;
	int r;

	if (!given)
		return deb_fetch_candidate(&b->fetch, pkg, version, size, why, why_size);
	snprintf(spec, sizeof(spec), "%s=%s", pkg, given);
	r = deb_fetch_show(&b->fetch, spec, &p, why, why_size);
	if (r == -ENOENT)
		snprintf(why, why_size, "%s: not in the suite's %s", spec, b->fetch.components);
	if (r == 0 && snprintf(version, size, "%s", given) >= (int)size)
		r = -ENAMETOOLONG;
	return r;
}

/* Versions (given, or apt's candidates), the build root, and the key naming every input. */
static int resolve(struct modbuild *b, struct modbuild_result *res, const char *src, char *why,
                   size_t why_size)
{
	const struct modbuild_opts *o = b->o;
	/* The NVIDIA source is in contrib, its firmware in non-free-firmware. */
	static const char *const components[] = {"main", "contrib", "non-free",
	                                         "non-free-firmware"};
	const struct deb_fetch_opts fo = {.what = "modules",
	                                  .suite = o->suite ? o->suite : "trixie",
	                                  .mirror = o->mirror,
	                                  .security_mirror = o->security_mirror,
	                                  .keyring = o->keyring,
	                                  .components = components,
	                                  .ncomponents = 4,
	                                  .quiet = o->quiet};
	char hdr_pkg[160];
	int r;

	if ((r = split_modules(b, o->modules ? o->modules : MODBUILD_MODULES_DEFAULT, why,
	                       why_size)) < 0 ||
	    (r = deb_fetch_open(&b->fetch, &fo, b->cache, why, why_size)) < 0)
		return r;
	snprintf(hdr_pkg, sizeof(hdr_pkg), "linux-headers-%s", o->kver);
	if ((r = version_of(b, src, o->source_version, res->source_version,
	                    sizeof(res->source_version), why, why_size)) < 0 ||
	    (r = version_of(b, hdr_pkg, o->headers_version, res->headers_version,
	                    sizeof(res->headers_version), why, why_size)) < 0)
		return r;
	if ((r = modbuild_root_prepare(&b->fetch, o, b->top, res->headers_version, &b->root, why,
	                               why_size)) < 0 ||
	    (r = compiler_line(b, o->cc ? o->cc : b->root.cc, why, why_size)) < 0)
		return r;

	size_t used = (size_t)snprintf(
	        b->key_text, sizeof(b->key_text),
	        "format ccimage-modules-2\ncompat %d\nsource %s %s\nheaders %s %s\nkver %s\n"
	        "buildroot sha256:%s %u packages\ncc %s\nmodules",
	        MODBUILD_COMPAT_REVISION, src, res->source_version, hdr_pkg, res->headers_version,
	        o->kver, b->root.digest, b->root.npackages, b->cc_line);
	for (unsigned i = 0; i < b->nnames; i++)
		used += (size_t)snprintf(b->key_text + used, sizeof(b->key_text) - used, " %s",
		                         b->names[i]);
	used += (size_t)snprintf(b->key_text + used, sizeof(b->key_text) - used, "\n");
	if (used >= sizeof(b->key_text) || keylock_key(b->key_text, used, res->key) < 0)
		return -ENAMETOOLONG;
	snprintf(b->work_in, sizeof(b->work_in), "/build/%.32s", res->key);
	if (snprintf(res->dir, sizeof(res->dir), "%s/%.32s", b->top, res->key) >=
	            (int)sizeof(res->dir) ||
	    snprintf(b->work, sizeof(b->work), "%s%s", b->root.dir, b->work_in) >=
	            (int)sizeof(b->work))
		return -ENAMETOOLONG;
	return 0;
}

int modbuild_run(const struct modbuild_opts *o, struct modbuild_result *res, char *why,
                 size_t why_size)
{
	const char *src = o->source_package ? o->source_package : MODBUILD_SOURCE_DEFAULT;
	struct modbuild *b;
	double start = now();
	int r;

	memset(res, 0, sizeof(*res));
	if (!o->kver || !*o->kver || strchr(o->kver, '/')) {
		snprintf(why, why_size, "a kernel version (KVER) is needed");
		return -EINVAL;
	}
	if (!(b = calloc(1, sizeof(*b))))
		return -ENOMEM;
	b->o = o;
	snprintf(b->cache, sizeof(b->cache), "%s", o->cache ? o->cache : apt_cache_dir());
	if (path_join(b->top, sizeof(b->top), b->cache, "nvidia-modules") < 0)
		r = -ENAMETOOLONG;
	else if ((r = resolve(b, res, src, why, why_size)) == 0) {
		b->res = res;
		r = keylock_get(b->top, res->key, res->dir, "modules", o->cached_only, build, b,
		                &res->cached, why, why_size);
	}
	deb_fetch_close(&b->fetch);
	free(b);
	if (r < 0)
		return r;
	res->nmodules = count_modules(res->dir);
	res->seconds = now() - start;
	return 0;
}

int modbuild_install(const struct modbuild_result *res, const char *kver, const char *root,
                     char *why, size_t why_size)
{
	char pattern[PATH_MAX + 8], dest[PATH_MAX];
	glob_t g;
	int r = 0;

	snprintf(pattern, sizeof(pattern), "%s/*.ko", res->dir);
	if (glob(pattern, 0, NULL, &g) != 0)
		return -ENOENT;
	for (size_t i = 0; r == 0 && i < g.gl_pathc; i++)
		r = modbuild_install_one(g.gl_pathv[i], kver, root, dest, sizeof(dest), why,
		                         why_size);
	globfree(&g);
	return r;
}

int modbuild_install_one(const char *ko, const char *kver, const char *root, char *dest,
                         size_t dest_size, char *why, size_t why_size)
{
	const char *base = strrchr(ko, '/') ? strrchr(ko, '/') + 1 : ko;
	int r;

	if (snprintf(dest, dest_size, "%s/lib/modules/%s/updates/dkms/%s", root, kver, base) >=
	    (int)dest_size)
		return -ENAMETOOLONG;
	if ((r = mkdir_parents(dest, 0755)) == 0)
		r = copy_file(ko, dest, 0644);
	if (r < 0)
		snprintf(why, why_size, "installing %s: %s", dest, strerror(-r));
	return r;
}
