/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The NVIDIA module build: resolve versions, look in the cache, else fetch
 * the headers (linux-headers-KVER, the -common package its Makefile
 * includes, the linux-kbuild package its scripts link to) and the source
 * package, unpack them into a build tree, apply our compat fixes, run the
 * driver's own Makefile with the host compiler, and keep the stripped .ko
 * files under a key naming every input. The tree sits at a path fixed by
 * the key and its prefix is mapped away, so the bytes do not depend on
 * where the cache is.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libkmod.h>
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
	struct modbuild_fetch fetch;
	char cache[PATH_MAX], top[PATH_MAX], work[PATH_MAX], tree[PATH_MAX];
	char arch_dir[PATH_MAX], common_dir[PATH_MAX], srcdir[PATH_MAX];
	char names[MAX_MODULES][64];
	unsigned nnames;
	char cc_line[256], compat[256];
	char key_text[2048];
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
	int r = spawn_run(argv, &io, why, why_size);

	if (r == 0) {
		out[strcspn(out, "\n")] = '\0';
		snprintf(b->cc_line, sizeof(b->cc_line), "%.255s", out);
	}
	free(out);
	return r;
}

static int fetch_unpack(struct modbuild *b, const char *pkg, const char *version, const char *dest,
                        char *why, size_t why_size)
{
	char deb[PATH_MAX];
	int r = modbuild_fetch_deb(&b->fetch, pkg, version, deb, sizeof(deb), why, why_size);

	if (r == 0)
		r = modbuild_unpack_deb(deb, dest, why, why_size);
	return r;
}

/*
 * Debian splits the headers three ways; the flavour package names the other
 * two only through its Makefile's include and its scripts link, and those
 * name the packages too (same source, same version).
 */
static int unpack_headers(struct modbuild *b, const char *version, char *why, size_t why_size)
{
	char pkg[128], path[PATH_MAX], line[512], link[256], *p, *end;
	const char *kver = b->o->kver;
	FILE *f;
	ssize_t n;
	int r;

	snprintf(pkg, sizeof(pkg), "linux-headers-%s", kver);
	progress(b, "fetching", pkg);
	if ((r = fetch_unpack(b, pkg, version, b->tree, why, why_size)) < 0)
		return r;
	if (snprintf(b->arch_dir, sizeof(b->arch_dir), "%s/usr/src/%s", b->tree, pkg) >=
	            (int)sizeof(b->arch_dir) ||
	    path_join(path, sizeof(path), b->arch_dir, "Makefile") < 0)
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
	p += strlen("/usr/src/");
	if (strchr(p, '/') || snprintf(b->common_dir, sizeof(b->common_dir), "%s/usr/src/%s",
	                               b->tree, p) >= (int)sizeof(b->common_dir))
		return -EINVAL;
	progress(b, "fetching", p);
	if ((r = fetch_unpack(b, p, version, b->tree, why, why_size)) < 0)
		return r;

	if (path_join(path, sizeof(path), b->arch_dir, "scripts") < 0)
		return -ENAMETOOLONG;
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0 || (link[n] = '\0', !(p = strstr(link, "lib/linux-kbuild-"))) ||
	    !(end = strchr(p + 4, '/'))) {
		snprintf(why, why_size, "%s: not a link into lib/linux-kbuild-*", path);
		return -EINVAL;
	}
	*end = '\0';
	progress(b, "fetching", p + 4);
	return fetch_unpack(b, p + 4, version, b->tree, why, why_size);
}

static int unpack_source(struct modbuild *b, const char *pkg, const char *version, char *why,
                         size_t why_size)
{
	char pkgdir[PATH_MAX], pattern[PATH_MAX + 32], src[PATH_MAX];
	glob_t g;
	int r;

	progress(b, "fetching", pkg);
	if (path_join(pkgdir, sizeof(pkgdir), b->work, "pkg") < 0 ||
	    path_join(src, sizeof(src), b->work, "src") < 0)
		return -ENAMETOOLONG;
	if ((r = fetch_unpack(b, pkg, version, pkgdir, why, why_size)) < 0)
		return r;
	snprintf(pattern, sizeof(pattern), "%s/usr/src/nvidia*.tar.xz", pkgdir);
	if (glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc != 1) {
		snprintf(why, why_size, "%s: no single usr/src/nvidia*.tar.xz", pkg);
		return -ENOENT;
	}
	if (mkdir(src, 0755) < 0 && errno != EEXIST)
		r = -errno;
	if (r == 0)
		r = modbuild_unpack_tar(g.gl_pathv[0], src, why, why_size);
	globfree(&g);
	if (r < 0)
		return r;
	snprintf(pattern, sizeof(pattern), "%s/modules/*/Kbuild", src);
	if (glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc != 1) {
		snprintf(why, why_size, "%s: no single modules/*/Kbuild in the tarball", pkg);
		return -ENOENT;
	}
	snprintf(b->srcdir, sizeof(b->srcdir), "%.*s", (int)(strlen(g.gl_pathv[0]) - 6),
	         g.gl_pathv[0]);
	globfree(&g);
	return 0;
}

static int run_make(struct modbuild *b, const char *cc, char *why, size_t why_size)
{
	char jobs[16], sysssrc[PATH_MAX + 8], sysout[PATH_MAX + 8], mods[600], ccarg[300];
	char kcflags[PATH_MAX + 64], log[PATH_MAX];
	size_t used = 0;
	int fd, r;

	snprintf(jobs, sizeof(jobs), "-j%u", b->o->jobs ? b->o->jobs : 2);
	snprintf(sysssrc, sizeof(sysssrc), "SYSSRC=%s", b->common_dir);
	snprintf(sysout, sizeof(sysout), "SYSOUT=%s", b->arch_dir);
	used = (size_t)snprintf(mods, sizeof(mods), "NV_KERNEL_MODULES=");
	for (unsigned i = 0; i < b->nnames; i++)
		used += (size_t)snprintf(mods + used, sizeof(mods) - used, "%s%s", i ? " " : "",
		                         b->names[i]);
	snprintf(ccarg, sizeof(ccarg), "CC=%s", cc);
	/* Paths into the build tree must not reach the module's bytes. */
	snprintf(kcflags, sizeof(kcflags), "KCFLAGS=-ffile-prefix-map=%s/=", b->work);
	const char *argv[] = {"make", jobs, "modules", sysssrc, sysout, mods, ccarg, kcflags, NULL};

	if (path_join(log, sizeof(log), b->work, "build.log") < 0)
		return -ENAMETOOLONG;
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	progress(b, "building, log:", log);
	r = spawn_run(argv, &(const struct spawn_io){.cwd = b->srcdir, .log_fd = fd}, why,
	              why_size);
	close(fd);
	if (r == -ECHILD) {
		size_t len = strlen(why);
		snprintf(why + len, why_size - len, "; see %s", log);
	}
	return r;
}

/* The module must be for this kernel: its vermagic starts with KVER. */
static int check_vermagic(struct kmod_ctx *ctx, const char *path, const char *kver, char *why,
                          size_t why_size)
{
	struct kmod_module *mod = NULL;
	struct kmod_list *info = NULL, *l;
	size_t klen = strlen(kver);
	int r = kmod_module_new_from_path(ctx, path, &mod);

	if (r < 0)
		return r;
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
	if (r < 0)
		snprintf(why, why_size, "%s: vermagic is not for %s", path, kver);
	return r;
}

static int collect(struct modbuild *b, const char *tmpdir, char *why, size_t why_size)
{
	struct kmod_ctx *ctx = kmod_new(NULL, (const char *const[]){NULL});
	char from[PATH_MAX], to[PATH_MAX], name[80], hex[65];
	size_t used = strlen(b->key_text);
	int r = ctx ? 0 : -ENOMEM;

	for (unsigned i = 0; r == 0 && i < b->nnames; i++) {
		snprintf(name, sizeof(name), "%s.ko", b->names[i]);
		if (path_join(from, sizeof(from), b->srcdir, name) < 0 ||
		    path_join(to, sizeof(to), tmpdir, name) < 0)
			return -ENAMETOOLONG;
		if ((r = copy_file(from, to, 0644)) < 0) {
			snprintf(why, why_size, "%s: %s (not built?)", from, strerror(-r));
			break;
		}
		/* As the kernel's INSTALL_MOD_STRIP=1: debug info off, symbols kept. */
		const char *argv[] = {"strip", "--strip-debug", to, NULL};
		if ((r = spawn_run(argv, NULL, why, why_size)) < 0)
			break;
		if ((r = check_vermagic(ctx, to, b->o->kver, why, why_size)) < 0)
			break;
		if ((r = digest_file_hex(to, hex)) < 0)
			break;
		used += (size_t)snprintf(b->key_text + used, sizeof(b->key_text) - used,
		                         "output %s sha256:%s\n", name, hex);
		if (used >= sizeof(b->key_text))
			r = -ENAMETOOLONG;
	}
	if (ctx)
		kmod_unref(ctx);
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

static int build(struct modbuild *b, struct modbuild_result *res, const char *cc, char *why,
                 size_t why_size)
{
	const struct modbuild_opts *o = b->o;
	char tmpdir[PATH_MAX + 8];
	int r;

	remove_tree(b->work);
	if (path_join(b->tree, sizeof(b->tree), b->work, "tree") < 0)
		return -ENAMETOOLONG;
	if (mkdir(b->work, 0755) < 0 || mkdir(b->tree, 0755) < 0) {
		snprintf(why, why_size, "creating %s: %s", b->work, strerror(errno));
		return -errno;
	}
	if ((r = unpack_headers(b, res->headers_version, why, why_size)) < 0 ||
	    (r = unpack_source(b, o->source_package ? o->source_package : MODBUILD_SOURCE_DEFAULT,
	                       res->source_version, why, why_size)) < 0)
		return r;
	r = modbuild_compat_apply(b->common_dir, b->srcdir, b->compat, sizeof(b->compat), why,
	                          why_size);
	if (r < 0)
		return r;
	if (b->compat[0])
		progress(b, "compat fixes applied:", b->compat);
	if ((r = run_make(b, cc, why, why_size)) < 0)
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

/* Versions (given, or apt's candidates) and the key naming every input. */
static int resolve(struct modbuild *b, struct modbuild_result *res, const char *src, const char *cc,
                   char *why, size_t why_size)
{
	const struct modbuild_opts *o = b->o;
	char hdr_pkg[160];
	int r;

	if ((r = split_modules(b, o->modules ? o->modules : MODBUILD_MODULES_DEFAULT, why,
	                       why_size)) < 0 ||
	    (r = compiler_line(b, cc, why, why_size)) < 0 ||
	    (r = modbuild_fetch_open(&b->fetch, o, b->cache, why, why_size)) < 0)
		return r;
	snprintf(hdr_pkg, sizeof(hdr_pkg), "linux-headers-%s", o->kver);
	if (o->source_version)
		snprintf(res->source_version, sizeof(res->source_version), "%s", o->source_version);
	else if ((r = modbuild_fetch_candidate(&b->fetch, src, res->source_version,
	                                       sizeof(res->source_version), why, why_size)) < 0)
		return r;
	if (o->headers_version)
		snprintf(res->headers_version, sizeof(res->headers_version), "%s",
		         o->headers_version);
	else if ((r = modbuild_fetch_candidate(&b->fetch, hdr_pkg, res->headers_version,
	                                       sizeof(res->headers_version), why, why_size)) < 0)
		return r;

	size_t used = (size_t)snprintf(b->key_text, sizeof(b->key_text),
	                               "format ccimage-modules-1\ncompat %d\nsource %s %s\n"
	                               "headers %s %s\nkver %s\ncc %s\nmodules",
	                               MODBUILD_COMPAT_REVISION, src, res->source_version, hdr_pkg,
	                               res->headers_version, o->kver, b->cc_line);
	for (unsigned i = 0; i < b->nnames; i++)
		used += (size_t)snprintf(b->key_text + used, sizeof(b->key_text) - used, " %s",
		                         b->names[i]);
	used += (size_t)snprintf(b->key_text + used, sizeof(b->key_text) - used, "\n");
	if (used >= sizeof(b->key_text) || keylock_key(b->key_text, used, res->key) < 0)
		return -ENAMETOOLONG;
	if (snprintf(res->dir, sizeof(res->dir), "%s/%.32s", b->top, res->key) >=
	            (int)sizeof(res->dir) ||
	    snprintf(b->work, sizeof(b->work), "%s/.build-%.32s", b->top, res->key) >=
	            (int)sizeof(b->work))
		return -ENAMETOOLONG;
	return 0;
}

/* Under the key's lock: two builds of the same key (parallel tests) wait, not race. */
static int build_locked(struct modbuild *b, struct modbuild_result *res, const char *cc, char *why,
                        size_t why_size)
{
	int r = 0, fd = keylock_take(b->top, res->key, why, why_size);

	if (fd < 0)
		return fd;
	if (access(res->dir, F_OK) == 0) {
		res->cached = true;
	} else if (b->o->cached_only) {
		snprintf(why, why_size, "not in the cache (%s)", res->dir);
		r = -ENOENT;
	} else {
		progress(b, "no cached build, building", res->key);
		r = build(b, res, cc, why, why_size);
	}
	close(fd);
	return r;
}

int modbuild_run(const struct modbuild_opts *o, struct modbuild_result *res, char *why,
                 size_t why_size)
{
	const char *src = o->source_package ? o->source_package : MODBUILD_SOURCE_DEFAULT;
	const char *cc = o->cc ? o->cc : "gcc";
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
	else if ((r = resolve(b, res, src, cc, why, why_size)) == 0)
		r = build_locked(b, res, cc, why, why_size);
	modbuild_fetch_close(&b->fetch);
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
	for (size_t i = 0; r == 0 && i < g.gl_pathc; i++) {
		const char *base = strrchr(g.gl_pathv[i], '/') + 1;
		if (snprintf(dest, sizeof(dest), "%s/lib/modules/%s/updates/dkms/%s", root, kver,
		             base) >= (int)sizeof(dest))
			r = -ENAMETOOLONG;
		else if ((r = mkdir_parents(dest, 0755)) == 0)
			r = copy_file(g.gl_pathv[i], dest, 0644);
		if (r < 0)
			snprintf(why, why_size, "installing %s: %s", dest, strerror(-r));
	}
	globfree(&g);
	return r;
}
