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
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "init/base/fileio.h"
#include "init/base/hex.h"
#include "measurement/firmware/fwbuild.h"
#include "rootfs/deb/apt.h"
#include "rootfs/lib/digest.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/keylock.h"
#include "rootfs/lib/spawn.h"

/*
 * The build tree sits at a path fixed by the key, not under the cache:
 * edk2's GenFw leaves in a module a debug entry as long as the module's
 * build path (its bytes zeroed), so the same sources built in another
 * directory give another layout and other bytes (measurement/README.md, 3.1).
 */
#define FWBUILD_WORK_PREFIX "/var/tmp/ccimage-firmware-"

/* Where edk2's build puts the platform's image: OUTPUT_DIRECTORY of the .dsc, target, tag. */
#define FWBUILD_OUTPUT "Build/AmdSev/RELEASE_GCC5/FV/OVMF.fd"

struct fwbuild {
	const struct fwbuild_opts *o;
	struct fwbuild_source src;
	char cache[PATH_MAX], top[PATH_MAX], work[PATH_MAX], tree[PATH_MAX], log[PATH_MAX];
	char key_text[4096];
	int log_fd;
	const struct fwbuild_result *res; /* the key's paths, for build() */
};

static void progress(const struct fwbuild *b, const char *what, const char *arg)
{
	if (!b->o->quiet)
		fprintf(stderr, "ccimage: firmware: %s%s%s\n", what, arg[0] ? " " : "", arg);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * A tool is part of the key by what it says it is, not by its name: the first
 * line of its version output that contains `match`.
 */
static int tool_line(const char *const *argv, const char *match, char *out, size_t size, char *why,
                     size_t why_size)
{
	char *text = NULL;
	const struct spawn_io io = {.capture = &text, .stderr_null = true};
	int r = spawn_run(argv, &io, why, why_size);

	out[0] = '\0';
	for (char *line = text, *next; r == 0 && line && *line && !out[0]; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strstr(line, match))
			snprintf(out, size, "%.200s", line);
	}
	free(text);
	if (r == 0 && !out[0]) {
		snprintf(why, why_size, "%s: no '%s' in its version output", argv[0], match);
		r = -EPROTO;
	}
	if (r == -ENOENT)
		snprintf(why, why_size,
		         "%s not found: the firmware build needs gcc, nasm, iasl (acpica-tools), "
		         "uuid-dev, python3 and dpkg-source (tests/host-deps.sh installs them)",
		         argv[0]);
	return r;
}

static int tools_key(struct fwbuild *b, size_t *used, char *why, size_t why_size)
{
	static const struct {
		const char *label, *argv[3], *match;
	} tools[] = {
	        {"cc", {"gcc", "--version", NULL}, "gcc"},
	        {"nasm", {"nasm", "-v", NULL}, "NASM"},
	        {"iasl", {"iasl", "-v", NULL}, "version"},
	        {"python", {"python3", "--version", NULL}, "Python"},
	};
	char line[256];
	int r;

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		if ((r = tool_line(tools[i].argv, tools[i].match, line, sizeof(line), why,
		                   why_size)) < 0)
			return r;
		*used += (size_t)snprintf(b->key_text + *used, sizeof(b->key_text) - *used,
		                          "%s %s\n", tools[i].label, line);
	}
	return *used < sizeof(b->key_text) ? 0 : -ENAMETOOLONG;
}

/* The source version (given, or apt's candidate) and the key naming every input. */
static int resolve(struct fwbuild *b, struct fwbuild_result *res, char *why, size_t why_size)
{
	size_t used;
	int r;

	if ((r = fwbuild_source_resolve(&b->src, b->o, b->cache, why, why_size)) < 0)
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
	    snprintf(b->work, sizeof(b->work), "%s%.32s", FWBUILD_WORK_PREFIX, res->key) >=
	            (int)sizeof(b->work) ||
	    path_join(b->tree, sizeof(b->tree), b->work, "src") < 0 ||
	    path_join(b->log, sizeof(b->log), b->work, "build.log") < 0)
		return -ENAMETOOLONG;
	return 0;
}

/* One step of the build with its output in the build log; a failure names the log. */
static int step(struct fwbuild *b, const char *what, const char *const *argv, const char *cwd,
                char *why, size_t why_size)
{
	int r;

	progress(b, what, "");
	r = spawn_run(argv, &(const struct spawn_io){.cwd = cwd, .log_fd = b->log_fd}, why,
	              why_size);
	if (r == -ECHILD) {
		size_t len = strlen(why);
		snprintf(why + len, why_size - len, "; see %s", b->log);
	}
	return r;
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
	if ((r = step(b, "unpacking", unpack, b->work, why, why_size)) < 0 ||
	    (r = step(b, "building BaseTools", basetools, b->tree, why, why_size)) < 0)
		return r;
	if (path_join(grub, sizeof(grub), b->tree, "OvmfPkg/AmdSev/Grub/grub.efi") < 0)
		return -ENAMETOOLONG;
	if ((r = write_string_file(grub, "", 0)) < 0) {
		snprintf(why, why_size, "writing %s: %s", grub, strerror(-r));
		return r;
	}
	return step(b, "building " FWBUILD_PLATFORM, platform, b->tree, why, why_size);
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
	const struct fwbuild_result *res = b->res;
	struct stat st;
	int r;

	progress(b, "no cached build, building", res->key);
	/* /var/tmp is everyone's: only a directory of ours is ever removed. */
	if (lstat(b->work, &st) == 0 && (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())) {
		snprintf(why, why_size, "%s exists and is not this user's directory", b->work);
		return -EEXIST;
	}
	remove_tree(b->work);
	if (mkdir(b->work, 0700) < 0) {
		snprintf(why, why_size, "creating %s: %s", b->work, strerror(errno));
		return -errno;
	}
	progress(b, "fetching", b->src.version);
	if ((r = fwbuild_source_fetch(&b->src, why, why_size)) < 0)
		return r;
	b->log_fd = open(b->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (b->log_fd < 0)
		return -errno;
	progress(b, "log:", b->log);
	r = compile(b, why, why_size);
	close(b->log_fd);
	if (r == 0)
		r = keep(b, res, why, why_size);
	if (r == 0)
		remove_tree(b->work);
	return r;
}

int fwbuild_run(const struct fwbuild_opts *o, struct fwbuild_result *res, char *why,
                size_t why_size)
{
	struct fwbuild *b;
	double start = now();
	uint8_t md[32];
	int r;

	memset(res, 0, sizeof(*res));
	if (!(b = calloc(1, sizeof(*b))))
		return -ENOMEM;
	b->o = o;
	snprintf(b->cache, sizeof(b->cache), "%s", o->cache ? o->cache : apt_cache_dir());
	if (path_join(b->top, sizeof(b->top), b->cache, "firmware") < 0)
		r = -ENAMETOOLONG;
	else if ((r = resolve(b, res, why, why_size)) == 0) {
		b->res = res;
		r = keylock_get(b->top, res->key, res->path, "firmware", o->cached_only, build, b,
		                &res->cached, why, why_size);
	}
	fwbuild_source_close(&b->src);
	free(b);
	if (r == 0 && (r = digest_file(res->path, false, md, NULL, &res->size)) < 0)
		snprintf(why, why_size, "reading %s: %s", res->path, strerror(-r));
	if (r < 0)
		return r;
	hex_encode(md, sizeof(md), res->sha256);
	res->seconds = now() - start;
	return 0;
}
