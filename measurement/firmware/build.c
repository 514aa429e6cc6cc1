/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The firmware build: resolve the source version, look in the cache, else
 * fetch and unpack the source (dpkg-source applies Debian's patches), build
 * edk2's BaseTools, then AmdSevX64.dsc, and keep OVMF.fd under a key
 * naming every input: the source files' hashes, the platform, the build
 * flags and what the compiler, assembler, ACPI compiler and Python say they
 * are. The grub.efi the platform would embed is an empty file, as Kata's
 * build-ovmf.sh does for its SNP firmware: with direct boot QEMU hands the
 * kernel over, and building grub would pull in a second source package and
 * minutes more.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/base/fileio.h"
#include "init/base/hex.h"
#include "measurement/firmware/fwbuild.h"
#include "rootfs/deb/apt.h"
#include "rootfs/deb/source.h"
#include "rootfs/lib/digest.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/hostbuild.h"
#include "rootfs/lib/keylock.h"
#include "rootfs/lib/spawn.h"

/*
 * The build tree sits at a path fixed by the key, not under the cache
 * (rootfs/lib/hostbuild.h): edk2's GenFw leaves in a module a debug entry as
 * long as the module's build path (its bytes zeroed), so the same sources
 * built in another directory give another layout and other bytes
 * (measurement/README.md, 3.1).
 */
/* Where edk2's build puts the platform's image: OUTPUT_DIRECTORY of the .dsc, target, tag. */
#define FWBUILD_OUTPUT "Build/AmdSev/RELEASE_GCC5/FV/OVMF.fd"

struct fwbuild {
	const struct fwbuild_opts *o;
	struct deb_source src;
	struct hostbuild h;
	char cache[PATH_MAX], top[PATH_MAX], tree[PATH_MAX];
	char key_text[4096];
	const struct fwbuild_result *res; /* the key's paths, for build() */
};

static int tools_key(struct fwbuild *b, size_t *used, char *why, size_t why_size)
{
	static const struct hostbuild_tool tools[] = {
	        {"cc", {"gcc", "--version", NULL}, "gcc"},
	        {"nasm", {"nasm", "-v", NULL}, "NASM"},
	        {"iasl", {"iasl", "-v", NULL}, "version"},
	        {"python", {"python3", "--version", NULL}, "Python"},
	};

	return hostbuild_tools_key(tools, sizeof(tools) / sizeof(tools[0]),
	                           "the firmware build needs gcc, nasm, iasl (acpica-tools), "
	                           "uuid-dev, python3 and dpkg-source (tests/host-deps.sh installs "
	                           "them)",
	                           b->key_text, sizeof(b->key_text), used, why, why_size);
}

/* The source version (given, or apt's candidate) and the key naming every input. */
static int resolve(struct fwbuild *b, struct fwbuild_result *res, char *why, size_t why_size)
{
	const struct deb_source_opts so = {.what = "firmware",
	                                   .name = FWBUILD_SOURCE,
	                                   .version = b->o->source_version,
	                                   .suite = b->o->suite ? b->o->suite : FWBUILD_SUITE,
	                                   .mirror = b->o->mirror,
	                                   .security_mirror = b->o->security_mirror,
	                                   .quiet = b->o->quiet};
	size_t used;
	int r;

	if ((r = deb_source_resolve(&b->src, &so, b->cache, why, why_size)) < 0)
		return r;
	snprintf(res->source_version, sizeof(res->source_version), "%s", b->src.version);
	used = (size_t)snprintf(b->key_text, sizeof(b->key_text),
	                        "format ccimage-firmware-1\nsource %s %s %s\nplatform %s\n"
	                        "build -a X64 -t GCC5 -b RELEASE, grub.efi empty\n",
	                        FWBUILD_SOURCE, b->src.version, b->src.files_line,
	                        FWBUILD_PLATFORM);
	if (used >= sizeof(b->key_text))
		return -ENAMETOOLONG;
	if ((r = tools_key(b, &used, why, why_size)) < 0 ||
	    (r = keylock_key(b->key_text, used, res->key)) < 0)
		return r;
	if (snprintf(res->dir, sizeof(res->dir), "%s/%.32s", b->top, res->key) >=
	            (int)sizeof(res->dir) ||
	    path_join(res->path, sizeof(res->path), res->dir, "OVMF.fd") < 0 ||
	    hostbuild_paths(&b->h, res->key) < 0 ||
	    path_join(b->tree, sizeof(b->tree), b->h.work, "src") < 0)
		return -ENAMETOOLONG;
	return 0;
}

/* Unpacked with Debian's patches, BaseTools built, then the platform. */
static int compile(struct fwbuild *b, char *why, size_t why_size)
{
	char jobs[16], grub[PATH_MAX];
	const char *unpack[] = {"dpkg-source", "--no-copy", "-x", b->src.dsc, b->tree, NULL};
	const char *basetools[] = {"make", jobs, "-C", "BaseTools", NULL};
	/*
	 * edksetup.sh must be sourced (it sets the workspace and writes Conf/), hence
	 * bash; it reads the positional parameters as its own options, so they are
	 * set aside while it runs.
	 */
	const char *platform[] = {
	        "bash",
	        "-c",
	        "a=(\"$@\"); set --; . ./edksetup.sh >/dev/null && exec build \"${a[@]}\"",
	        "edk2-build",
	        "-a",
	        "X64",
	        "-t",
	        "GCC5",
	        "-b",
	        "RELEASE",
	        "-p",
	        FWBUILD_PLATFORM,
	        "-n",
	        jobs + 2,
	        NULL};
	int r;

	snprintf(jobs, sizeof(jobs), "-j%u", b->o->jobs ? b->o->jobs : 2);
	if ((r = hostbuild_step(&b->h, "unpacking", unpack, b->h.work, why, why_size)) < 0 ||
	    (r = hostbuild_step(&b->h, "building BaseTools", basetools, b->tree, why, why_size)) <
	            0)
		return r;
	if (path_join(grub, sizeof(grub), b->tree, "OvmfPkg/AmdSev/Grub/grub.efi") < 0)
		return -ENAMETOOLONG;
	if ((r = write_string_file(grub, "", 0)) < 0) {
		snprintf(why, why_size, "writing %s: %s", grub, strerror(-r));
		return r;
	}
	return hostbuild_step(&b->h, "building " FWBUILD_PLATFORM, platform, b->tree, why,
	                      why_size);
}

/* OVMF.fd and key.txt (the key's lines and the output's hash) into DIR.tmp, then renamed. */
static int keep(struct fwbuild *b, const struct fwbuild_result *res, char *why, size_t why_size)
{
	char tmpdir[PATH_MAX + 8], from[PATH_MAX], to[PATH_MAX + 16], hex[65];
	size_t used = strlen(b->key_text);
	int r;

	snprintf(tmpdir, sizeof(tmpdir), "%s.tmp", res->dir);
	remove_tree(tmpdir);
	if (path_join(from, sizeof(from), b->tree, FWBUILD_OUTPUT) < 0)
		return -ENAMETOOLONG;
	if (mkdir(tmpdir, 0755) < 0)
		return -errno;
	snprintf(to, sizeof(to), "%s/OVMF.fd", tmpdir);
	if ((r = copy_file(from, to, 0644)) < 0) {
		snprintf(why, why_size, "%s: %s (not built?)", from, strerror(-r));
		return r;
	}
	if ((r = digest_file_hex(to, hex)) < 0)
		return r;
	snprintf(b->key_text + used, sizeof(b->key_text) - used, "output OVMF.fd sha256:%s\n", hex);
	snprintf(to, sizeof(to), "%s/key.txt", tmpdir);
	if ((r = write_string_file(to, b->key_text, 0)) < 0)
		return r;
	return rename(tmpdir, res->dir) < 0 ? -errno : 0;
}

/* What keylock_get() calls when the cache has no firmware for the key. */
static int build(void *ctx, char *why, size_t why_size)
{
	struct fwbuild *b = ctx;
	int r;

	hostbuild_progress(&b->h, "no cached build, building", b->res->key);
	if ((r = hostbuild_begin(&b->h, why, why_size)) < 0)
		return r;
	hostbuild_progress(&b->h, "fetching", b->src.version);
	r = deb_source_fetch(&b->src, why, why_size);
	if (r == 0)
		r = compile(b, why, why_size);
	if (r == 0)
		r = keep(b, b->res, why, why_size);
	hostbuild_end(&b->h, r == 0);
	return r;
}

int fwbuild_run(const struct fwbuild_opts *o, struct fwbuild_result *res, char *why,
                size_t why_size)
{
	struct fwbuild *b;
	double start = hostbuild_now();
	uint8_t md[32];
	int r;

	memset(res, 0, sizeof(*res));
	if (!(b = calloc(1, sizeof(*b))))
		return -ENOMEM;
	b->o = o;
	b->h = (struct hostbuild){
	        .what = "firmware", .quiet = o->quiet, .log_fd = -1, .lock_fd = -1};
	snprintf(b->cache, sizeof(b->cache), "%s", o->cache ? o->cache : apt_cache_dir());
	if (path_join(b->top, sizeof(b->top), b->cache, "firmware") < 0)
		r = -ENAMETOOLONG;
	else if ((r = resolve(b, res, why, why_size)) == 0) {
		b->res = res;
		r = keylock_get(b->top, res->key, res->path, "firmware", o->cached_only, build, b,
		                &res->cached, why, why_size);
	}
	deb_source_close(&b->src);
	free(b);
	if (r == 0 && (r = digest_file(res->path, false, md, NULL, &res->size)) < 0)
		snprintf(why, why_size, "reading %s: %s", res->path, strerror(-r));
	if (r < 0)
		return r;
	hex_encode(md, sizeof(md), res->sha256);
	res->seconds = hostbuild_now() - start;
	return 0;
}
