/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel build: resolve the source version, look in the cache, else
 * fetch linux-source-X.Y and unpack its tree (Debian's patches already
 * applied), configure it from the fragments (config.c), build bzImage and
 * the modules, install the modules signed, and keep the tree a recipe's
 * `kernel.root` takes. The key names the source .deb's hash, each
 * fragment's hash, the build's own options, the compiler, linker and
 * OpenSSL (sign-file) versions, and the signing key when one is given.
 *
 * What keeps the bytes the same from one build to the next: the build
 * metadata the kernel embeds (timestamp, user, host, build number) fixed,
 * the timestamp the source tarball's (Debian's changelog date); a build
 * directory fixed by the key; no GCC plugins and no randomised struct layout (allnoconfig has
 * neither). What changes them on purpose: the module-signing key, made new
 * for each build unless one is given, whose certificate the kernel carries.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/base/fileio.h"
#include "init/base/hex.h"
#include "kernel-configs/kernel-build/kbuild.h"
#include "modules/nvidia/modbuild.h"
#include "modules/host/stage.h"
#include "rootfs/deb/apt.h"
#include "rootfs/deb/debfetch.h"
#include "rootfs/lib/digest.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/hostbuild.h"
#include "rootfs/lib/keylock.h"
#include "rootfs/lib/spawn.h"

struct kbuild {
	const struct kbuild_opts *o;
	struct deb_fetch fetch;
	struct apt_pkg pkg;    /* linux-source-X.Y */
	struct apt_pkg nvidia; /* nvidia-open-kernel-source, unless o->no_nvidia */
	struct kbuild_fragments frags;
	struct hostbuild h;
	char cache[PATH_MAX], top[PATH_MAX], tree[PATH_MAX], tmpdir[PATH_MAX];
	char pem[PATH_MAX];           /* the private key, while the build needs it */
	struct kbuild_signing_key sk; /* --signing-key, read once */
	struct kbuild_key key;
	char jobs[16];
	struct kbuild_result *res; /* the key's paths, for build() */
};

static int tools_key(struct kbuild *b, char *why, size_t why_size)
{
	static const struct hostbuild_tool tools[] = {
	        {"cc", {"gcc", "--version", NULL}, "gcc"},
	        {"ld", {"ld", "--version", NULL}, "GNU ld"},
	        {"openssl", {"openssl", "version", NULL}, "OpenSSL"},
	};

	return hostbuild_tools_key(
	        tools, sizeof(tools) / sizeof(tools[0]),
	        "the kernel build needs gcc, binutils, make, bison, flex, bc, "
	        "libelf-dev, libssl-dev and openssl (tests/host-deps.sh installs "
	        "them)",
	        b->key.text, sizeof(b->key.text), &b->key.used, why, why_size);
}

/* X.Y from the upstream part of the version, "6.12" of "6.12.118-1". */
int kbuild_source_package(const char *version, char *name, size_t size)
{
	const char *dot = strchr(version, '.');
	size_t major = dot ? (size_t)(dot - version) : 0;
	size_t minor = dot ? strspn(dot + 1, "0123456789") : 0;

	if (!major || !minor || strspn(version, "0123456789") != major)
		return -EINVAL;
	return snprintf(name, size, "%s-%.*s", KBUILD_SOURCE_META, (int)(major + 1 + minor),
	                version) >= (int)size
	               ? -ENAMETOOLONG
	               : 0;
}

/* The version given, or apt's candidate of pkg. */
static int version_of(struct kbuild *b, const char *given, const char *pkg, char *version,
                      size_t size, char *why, size_t why_size)
{
	if (!given)
		return deb_fetch_candidate(&b->fetch, pkg, version, size, why, why_size);
	snprintf(version, size, "%s", given);
	return 0;
}

/* name=version from the suite's archives into p; -ENOENT names the spec. */
static int show_exact(struct kbuild *b, const char *name, const char *version, struct apt_pkg *p,
                      char *why, size_t why_size)
{
	char spec[300];
	int r;

	snprintf(spec, sizeof(spec), "%s=%s", name, version);
	r = deb_fetch_show(&b->fetch, spec, p, why, why_size);
	if (r == -ENOENT)
		snprintf(why, why_size, "%s: not in the suite's archives (%s)", spec,
		         b->fetch.components);
	return r;
}

/*
 * linux-source-X.Y for the version (given, or the candidate of the
 * linux-source metapackage, whose version is the kernel's); and
 * nvidia-open-kernel-source (given, or its candidate) unless no_nvidia.
 */
static int resolve_sources(struct kbuild *b, char *why, size_t why_size)
{
	char version[128], name[160];
	int r;

	if ((r = version_of(b, b->o->source_version, KBUILD_SOURCE_META, version, sizeof(version),
	                    why, why_size)) < 0)
		return r;
	if (kbuild_source_package(version, name, sizeof(name)) < 0) {
		snprintf(why, why_size, "source version '%s': not a kernel version (6.12.118-1)",
		         version);
		return -EINVAL;
	}
	if ((r = show_exact(b, name, version, &b->pkg, why, why_size)) < 0 || b->o->no_nvidia)
		return r;
	if ((r = version_of(b, b->o->nvidia_version, MODBUILD_SOURCE_DEFAULT, version,
	                    sizeof(version), why, why_size)) < 0)
		return r;
	return show_exact(b, MODBUILD_SOURCE_DEFAULT, version, &b->nvidia, why, why_size);
}

/* The source version and the key naming every input. */
static int resolve(struct kbuild *b, struct kbuild_result *res, char *why, size_t why_size)
{
	/* The NVIDIA source is in contrib. */
	static const char *const components[] = {"main", "contrib"};
	const struct deb_fetch_opts fo = {.what = "kernel",
	                                  .suite = b->o->suite ? b->o->suite : KBUILD_SUITE,
	                                  .mirror = b->o->mirror,
	                                  .security_mirror = b->o->security_mirror,
	                                  .components = components,
	                                  .ncomponents = b->o->no_nvidia ? 1 : 2,
	                                  .quiet = b->o->quiet};
	char frag_lines[2048], hex[65] = "new, discarded after the build", compat[16];
	int r;

	if ((r = kbuild_fragments_find(&b->frags, b->o->fragment_dir, why, why_size)) < 0 ||
	    (r = kbuild_fragments_key(&b->frags, frag_lines, sizeof(frag_lines), why, why_size)) <
	            0)
		return r;
	if (b->o->signing_key) {
		if ((r = kbuild_signing_key_read(b->o->signing_key, &b->sk, why, why_size)) < 0)
			return r;
		memcpy(hex, b->sk.sha256, sizeof(b->sk.sha256));
	}
	if ((r = deb_fetch_open(&b->fetch, &fo, b->cache, why, why_size)) < 0 ||
	    (r = resolve_sources(b, why, why_size)) < 0)
		return r;
	snprintf(res->source_version, sizeof(res->source_version), "%s", b->pkg.version);
	res->sources[res->nsources++] = b->pkg;
	if (!b->o->no_nvidia)
		res->sources[res->nsources++] = b->nvidia;
	snprintf(compat, sizeof(compat), "%d", MODBUILD_COMPAT_REVISION);
	if ((r = kbuild_key_add(
	             &b->key, "format ccimage-kernel-2\nsource ", b->pkg.name, " ", b->pkg.version,
	             " sha256:", b->pkg.sha256, "\n", frag_lines, "build fragment\n",
	             kbuild_build_fragment,
	             "merge_config.sh -n (allnoconfig), make bzImage modules\nsigning key ",
	             b->o->signing_key ? "sha256:" : "", hex, "\n", NULL)) < 0)
		return r;
	if (b->o->no_nvidia)
		r = kbuild_key_add(&b->key, "nvidia none\n", NULL);
	else {
		snprintf(res->nvidia_version, sizeof(res->nvidia_version), "%s", b->nvidia.version);
		r = kbuild_key_add(&b->key, "nvidia ", b->nvidia.name, " ", b->nvidia.version,
		                   " sha256:", b->nvidia.sha256, " compat ", compat,
		                   " modules " MODBUILD_MODULES_DEFAULT "\n", NULL);
	}
	if (r < 0 || (r = tools_key(b, why, why_size)) < 0 ||
	    (r = keylock_key(b->key.text, b->key.used, res->key)) < 0)
		return r;
	if (snprintf(res->dir, sizeof(res->dir), "%s/build-%.32s", b->top, res->key) >=
	            (int)sizeof(res->dir) ||
	    path_join(res->root, sizeof(res->root), res->dir, "root") < 0 ||
	    snprintf(b->tmpdir, sizeof(b->tmpdir), "%.4090s.tmp", res->dir) >=
	            (int)sizeof(b->tmpdir) ||
	    hostbuild_paths(&b->h, res->key) < 0 ||
	    path_join(b->tree, sizeof(b->tree), b->h.work, b->pkg.name) < 0)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * The build metadata the kernel embeds, the same every time for one source:
 * the timestamp is the source tarball's mtime, which Debian's package build
 * clamps to its SOURCE_DATE_EPOCH (the changelog's date).
 */
static int build_vars(const char *tarball, char ts[80], char *why, size_t why_size)
{
	struct stat st;

	if (stat(tarball, &st) < 0) {
		snprintf(why, why_size, "%s: %s", tarball, strerror(errno));
		return -errno;
	}
	snprintf(ts, 80, "KBUILD_BUILD_TIMESTAMP=@%lld", (long long)st.st_mtime);
	return 0;
}

/* The .deb's tarball (Debian's patches already applied) unpacked into the work directory. */
static int unpack(struct kbuild *b, const char *deb, char ts[80], char *why, size_t why_size)
{
	char debdir[PATH_MAX], tarball[PATH_MAX + 64];
	const char *x[] = {"dpkg-deb", "-x", deb, debdir, NULL};
	const char *untar[] = {"tar", "-xf", tarball, "-C", b->h.work, NULL};
	int r;

	if (path_join(debdir, sizeof(debdir), b->h.work, "deb") < 0 ||
	    snprintf(tarball, sizeof(tarball), "%s/usr/src/%s.tar.xz", debdir, b->pkg.name) >=
	            (int)sizeof(tarball))
		return -ENAMETOOLONG;
	if ((r = hostbuild_step(&b->h, "unpacking", x, b->h.work, why, why_size)) < 0 ||
	    (r = build_vars(tarball, ts, why, why_size)) < 0 ||
	    (r = hostbuild_step(&b->h, "unpacking the tree", untar, b->h.work, why, why_size)) < 0)
		return r;
	remove_tree(debdir);
	return 0;
}

/* A private key's bytes into a file made for them (0600, never through a link or over a file). */
static int write_private(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600), r;

	if (fd < 0)
		return -errno;
	r = write_full(fd, buf, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0)
		(void)unlink(path);
	return r;
}

/*
 * The private key modules_install signs with (b->pem): kbuild's own path,
 * where it makes a new pair; or a copy of the given one outside certs/, since
 * kbuild would replace a key of ours at its own path with a new one.
 */
static int signing_key_in(struct kbuild *b, char *why, size_t why_size)
{
	int r;

	if (!b->o->signing_key) {
		if (path_join(b->pem, sizeof(b->pem), b->tree, "certs/signing_key.pem") < 0)
			return -ENAMETOOLONG;
		return 0;
	}
	if (path_join(b->pem, sizeof(b->pem), b->h.work, "signing-key.pem") < 0)
		return -ENAMETOOLONG;
	/* The bytes read and checked before the build, not the path again: it may have changed. */
	if ((r = write_private(b->pem, b->sk.pem, b->sk.len)) < 0)
		snprintf(why, why_size, "writing %s: %s", b->pem, strerror(-r));
	return r;
}

/* Configured from the fragments and checked, then built. */
static int compile(struct kbuild *b, const char *ts, char *why, size_t why_size)
{
	char build_frag[PATH_MAX], config[PATH_MAX], *text = NULL;
	const char *merge[KBUILD_MAX_FRAGS + 4] = {"scripts/kconfig/merge_config.sh", "-n"};
	size_t n = 2;
	int r;

	if (path_join(build_frag, sizeof(build_frag), b->h.work, "ccimage-build.conf") < 0 ||
	    path_join(config, sizeof(config), b->tree, ".config") < 0)
		return -ENAMETOOLONG;
	if ((r = signing_key_in(b, why, why_size)) < 0)
		return r;
	/* kbuild makes a new pair only for this exact (relative) value. */
	if (asprintf(&text, "%sCONFIG_MODULE_SIG_KEY=\"%s\"\n", kbuild_build_fragment,
	             b->o->signing_key ? b->pem : "certs/signing_key.pem") < 0)
		return -ENOMEM;
	r = write_string_file(build_frag, text, 0);
	free(text);
	if (r < 0) {
		snprintf(why, why_size, "writing %s: %s", build_frag, strerror(-r));
		return r;
	}
	for (size_t i = 0; i < b->frags.n; i++)
		merge[n++] = b->frags.paths[i];
	merge[n++] = build_frag;
	if ((r = hostbuild_step(&b->h, "configuring: allnoconfig and the kernel-configs fragments",
	                        merge, b->tree, why, why_size)) < 0 ||
	    (r = kbuild_config_check(&b->frags, config, why, why_size)) < 0)
		return r;
	const char *make[] = {"make",
	                      b->jobs,
	                      ts,
	                      "KBUILD_BUILD_USER=ccimage",
	                      "KBUILD_BUILD_HOST=ccimage",
	                      "KBUILD_BUILD_VERSION=1",
	                      "bzImage",
	                      "modules",
	                      NULL};
	return hostbuild_step(&b->h, "compiling (minutes; the log has the progress)", make, b->tree,
	                      why, why_size);
}

/*
 * The private key: copied out when asked (and built), then deleted from the
 * tree, also when the build failed and its work directory stays for the log.
 */
static int key_out(struct kbuild *b, bool built, char *why, size_t why_size)
{
	int r = 0;

	if (!b->pem[0])
		return 0;
	if (built && b->o->keep_key && !b->o->signing_key) {
		char *pem = NULL;
		size_t len = 0;
		r = read_full_file(b->pem, 1 << 20, &pem, &len);
		if (r == 0)
			r = write_private(b->o->keep_key, pem, len);
		if (r < 0)
			snprintf(why, why_size, "--keep-key %s: %s", b->o->keep_key, strerror(-r));
		if (pem)
			explicit_bzero(pem, len); /* a private key: not left in freed memory */
		free(pem);
	}
	(void)unlink(b->pem);
	return r;
}

/*
 * The release and the signed modules, NVIDIA's included, into DIR.tmp/root:
 * they are signed with the private key, so this comes before key_out().
 */
static int install_modules(struct kbuild *b, struct kbuild_result *res, char *why, size_t why_size)
{
	char root[PATH_MAX], boot[PATH_MAX], mod_path[PATH_MAX], *kver = NULL;
	const char *release[] = {"make", "-s", "kernelrelease", NULL};
	int r;

	r = spawn_run(release, &(const struct spawn_io){.cwd = b->tree, .capture = &kver}, why,
	              why_size);
	if (r == 0 && (!kver || !kver[0] || strchr(kver, '/'))) {
		snprintf(why, why_size, "make kernelrelease: no release");
		r = -EPROTO;
	}
	if (r == 0) {
		kver[strcspn(kver, "\n")] = '\0';
		snprintf(res->kver, sizeof(res->kver), "%s", kver);
	}
	free(kver);
	if (r < 0)
		return r;
	remove_tree(b->tmpdir);
	if (snprintf(root, sizeof(root), "%s/root", b->tmpdir) >= (int)sizeof(root) ||
	    snprintf(boot, sizeof(boot), "%s/boot/x", root) >= (int)sizeof(boot) ||
	    snprintf(mod_path, sizeof(mod_path), "INSTALL_MOD_PATH=%s", root) >=
	            (int)sizeof(mod_path))
		return -ENAMETOOLONG;
	if ((r = mkdir_parents(boot, 0755)) < 0)
		return r;
	/* DEPMOD=true: the cache's depmod run (modstage) writes the indexes. */
	const char *install[] = {"make",        mod_path,          "INSTALL_MOD_STRIP=1",
	                         "DEPMOD=true", "modules_install", NULL};
	if ((r = hostbuild_step(&b->h, "installing the signed modules", install, b->tree, why,
	                        why_size)) < 0)
		return r;
	/* modules_install links build and source to the work tree, which is about to go. */
	for (const char *const *l = (const char *const[]){"build", "source", NULL}; *l; l++) {
		char link[PATH_MAX + 300];
		snprintf(link, sizeof(link), "%s/lib/modules/%s/%s", root, res->kver, *l);
		(void)unlink(link);
	}
	if (!b->o->no_nvidia) {
		const struct kbuild_nvidia n = {.h = &b->h,
		                                .fetch = &b->fetch,
		                                .pkg = &b->nvidia,
		                                .tree = b->tree,
		                                .pem = b->pem,
		                                .kver = res->kver,
		                                .jobs = b->jobs,
		                                .root = root};
		if ((r = kbuild_nvidia_build(&n, &b->key, why, why_size)) < 0)
			return r;
	}
	if ((r = modstage_ensure_depmod(root, res->kver)) < 0)
		snprintf(why, why_size, "depmod over %s failed", root);
	return r;
}

/* The rest of the tree a recipe's kernel.root takes, and key.txt, into DIR.tmp, then renamed. */
static int keep(struct kbuild *b, struct kbuild_result *res, char *why, size_t why_size)
{
	char from[PATH_MAX], to[PATH_MAX], hex[65], name[PATH_MAX];
	int r;

	static const struct {
		const char *from, *to;
	} files[] = {
	        {"arch/x86/boot/bzImage", "root/boot/vmlinuz-"},
	        {".config", "root/boot/config-"},
	        {"certs/signing_key.x509", "signing_key.x509"},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		bool per_kver = files[i].to[strlen(files[i].to) - 1] == '-';
		if (path_join(from, sizeof(from), b->tree, files[i].from) < 0)
			return -ENAMETOOLONG;
		if (snprintf(to, sizeof(to), "%s/%s%s", b->tmpdir, files[i].to,
		             per_kver ? res->kver : "") >= (int)sizeof(to))
			return -ENAMETOOLONG;
		if ((r = copy_file(from, to, 0644)) < 0) {
			snprintf(why, why_size, "%s: %s", from, strerror(-r));
			return r;
		}
		if ((r = digest_file_hex(to, hex)) < 0)
			return r;
		snprintf(name, sizeof(name), "%s%s", files[i].to, per_kver ? res->kver : "");
		if ((r = kbuild_key_add(&b->key, "output ", name, " sha256:", hex, "\n", NULL)) < 0)
			return r;
	}
	if (snprintf(to, sizeof(to), "%s/key.txt", b->tmpdir) >= (int)sizeof(to))
		return -ENAMETOOLONG;
	if ((r = write_string_file(to, b->key.text, 0)) < 0)
		return r;
	return rename(b->tmpdir, res->dir) < 0 ? -errno : 0;
}

/* What keylock_get() calls when the cache has no kernel for the key. */
static int build(void *ctx, char *why, size_t why_size)
{
	struct kbuild *b = ctx;
	char deb[PATH_MAX], ts[80];
	int r;

	hostbuild_progress(&b->h, "no cached build, building", b->res->key);
	if ((r = hostbuild_begin(&b->h, why, why_size)) < 0)
		return r;
	hostbuild_progress(&b->h, "fetching", b->pkg.name);
	r = deb_fetch_deb(&b->fetch, b->pkg.name, b->pkg.version, deb, sizeof(deb), why, why_size);
	if (r == 0)
		r = unpack(b, deb, ts, why, why_size);
	if (r == 0)
		r = compile(b, ts, why, why_size);
	if (r == 0)
		r = install_modules(b, b->res, why, why_size);
	/* The private key goes whatever happened; kept first when asked and the build worked. */
	if (r == 0)
		r = key_out(b, true, why, why_size);
	else
		(void)key_out(b, false, why, why_size);
	if (r == 0)
		r = keep(b, b->res, why, why_size);
	if (r < 0)
		remove_tree(b->tmpdir);
	hostbuild_end(&b->h, r == 0);
	return r;
}

/* A cached build: its KVER from the one vmlinuz-KVER under root/boot. */
static int find_kver(struct kbuild_result *res, char *why, size_t why_size)
{
	char path[PATH_MAX + 8], *text = NULL;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "%s/key.txt", res->dir);
	if ((r = read_full_file(path, 1 << 20, &text, &len)) < 0) {
		snprintf(why, why_size, "reading %s: %s", path, strerror(-r));
		return r;
	}
	const char *p = strstr(text, "output root/boot/vmlinuz-");
	if (p) {
		p += strlen("output root/boot/vmlinuz-");
		snprintf(res->kver, sizeof(res->kver), "%.*s", (int)strcspn(p, " \n"), p);
	}
	free(text);
	if (!res->kver[0]) {
		snprintf(why, why_size, "%s: names no vmlinuz", path);
		return -EPROTO;
	}
	return 0;
}

int kbuild_run(const struct kbuild_opts *o, struct kbuild_result *res, char *why, size_t why_size)
{
	struct kbuild *b;
	double start = hostbuild_now();
	char product[PATH_MAX + 16], cert[PATH_MAX + 32];
	uint8_t md[32];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int r;

	memset(res, 0, sizeof(*res));
	if (!(b = calloc(1, sizeof(*b))))
		return -ENOMEM;
	b->o = o;
	b->h = (struct hostbuild){.what = "kernel", .quiet = o->quiet, .log_fd = -1, .lock_fd = -1};
	snprintf(b->jobs, sizeof(b->jobs), "-j%u",
	         o->jobs    ? o->jobs
	         : cpus > 0 ? (unsigned)cpus
	                    : 2);
	snprintf(b->cache, sizeof(b->cache), "%s", o->cache ? o->cache : apt_cache_dir());
	if (path_join(b->top, sizeof(b->top), b->cache, "kernels") < 0)
		r = -ENAMETOOLONG;
	else if ((r = resolve(b, res, why, why_size)) == 0) {
		b->res = res;
		snprintf(product, sizeof(product), "%s/key.txt", res->dir);
		r = keylock_get(b->top, res->key, product, "kernel", o->cached_only, build, b,
		                &res->cached, why, why_size);
	}
	deb_fetch_close(&b->fetch);
	kbuild_signing_key_free(&b->sk);
	free(b);
	if (r == 0 && res->cached)
		r = find_kver(res, why, why_size);
	if (r < 0)
		return r;
	if (snprintf(res->vmlinuz, sizeof(res->vmlinuz), "%s/boot/vmlinuz-%s", res->root,
	             res->kver) >= (int)sizeof(res->vmlinuz))
		return -ENAMETOOLONG;
	snprintf(cert, sizeof(cert), "%s/signing_key.x509", res->dir);
	if ((r = digest_file(res->vmlinuz, false, md, NULL, &res->vmlinuz_size)) < 0 ||
	    (r = digest_file_hex(cert, res->cert_sha256)) < 0) {
		snprintf(why, why_size, "reading %s: %s", res->dir, strerror(-r));
		return r;
	}
	hex_encode(md, sizeof(md), res->vmlinuz_sha256);
	res->seconds = hostbuild_now() - start;
	return 0;
}
