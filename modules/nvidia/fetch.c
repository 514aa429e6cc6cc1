/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The module build's .debs: the image build's private apt (rootfs/deb/apt.h)
 * over the archives below, and its debs cache (CACHE/debs), so a package
 * either build fetched is not fetched again.
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "modules/nvidia/modbuild.h"
#include "rootfs/deb/apt.h"
#include "rootfs/lib/fsutil.h"

/*
 * The archives: the NVIDIA source is in contrib, the firmware in
 * non-free-firmware; apt's state is the image build's (a private one under
 * the cache), so a host tool never edits /etc/apt to find them.
 */
static const char *const components[] = {"main", "contrib", "non-free", "non-free-firmware"};

int modbuild_fetch_open(struct modbuild_fetch *f, const struct modbuild_opts *o, const char *cache,
                        char *why, size_t why_size)
{
	const struct apt_sources src = {
	        .suite = o->suite ? o->suite : "bookworm",
	        .mirror = o->mirror ? o->mirror : "http://deb.debian.org/debian",
	        .security_mirror = o->security_mirror ? o->security_mirror
	                                              : "http://deb.debian.org/debian-security",
	        .keyring = "/usr/share/keyrings/debian-archive-keyring.gpg",
	        .components = components,
	        .ncomponents = sizeof(components) / sizeof(components[0]),
	        .updates = true};

	if (path_join(f->debs, sizeof(f->debs), cache, "debs") < 0)
		return -ENAMETOOLONG;
	if (mkdir(f->debs, 0755) < 0 && errno != EEXIST) {
		snprintf(why, why_size, "creating %s: %s", f->debs, strerror(errno));
		return -errno;
	}
	return apt_open_sources(&src, o->quiet, &f->apt, why, why_size);
}

/* Lists are refreshed at most hourly so that a warm build needs no network. */
static int update(struct modbuild_fetch *f, bool force, char *why, size_t why_size)
{
	time_t before = 0, when;
	int r;

	if (f->updated)
		return 0;
	(void)apt_updated_at(f->apt, &before);
	r = apt_update(f->apt, force, why, why_size);
	if (r < 0 && !force && apt_updated_at(f->apt, &when) == 0) {
		/* Offline with lists we have: resolve against them rather than fail. */
		fprintf(stderr, "ccimage: modules: %s; using the lists of %s", why, ctime(&when));
		f->updated = true;
		return 0;
	}
	/* Refreshed in this run (not skipped as fresh): a retry would fetch the same lists. */
	if (r == 0 && apt_updated_at(f->apt, &when) == 0 && (force || when != before))
		f->updated = true;
	return r;
}

int modbuild_fetch_candidate(struct modbuild_fetch *f, const char *pkg, char *version, size_t size,
                             char *why, size_t why_size)
{
	struct apt_pkg p;
	int r = update(f, false, why, why_size);

	if (r == 0)
		r = apt_show(f->apt, pkg, &p, why, why_size);
	if (r == -ENOENT)
		snprintf(why, why_size,
		         "%s: no such package in the suite's main contrib non-free "
		         "non-free-firmware",
		         pkg);
	if (r == 0 && snprintf(version, size, "%s", p.version) >= (int)size)
		r = -ENAMETOOLONG;
	return r;
}

/* The .deb's name as apt writes it: NAME_VERSION_ARCH.deb, ':' as %3a. */
static int find_deb(const char *dir, const char *pkg, const char *version, char *path, size_t size)
{
	char pattern[PATH_MAX], ver[256];
	size_t j = 0;
	glob_t g;
	int r;

	for (const char *v = version; *v && j + 4 < sizeof(ver); v++) {
		if (*v == ':') {
			memcpy(ver + j, "%3a", 3);
			j += 3;
		} else if (strchr("*?[\\", *v)) {
			return -EINVAL;
		} else {
			ver[j++] = *v;
		}
	}
	ver[j] = '\0';
	if (snprintf(pattern, sizeof(pattern), "%s/%s_%s_*.deb", dir, pkg, ver) >=
	    (int)sizeof(pattern))
		return -ENAMETOOLONG;
	if (glob(pattern, 0, NULL, &g) != 0)
		return -ENOENT;
	r = g.gl_pathc == 1 ? 0 : -EEXIST;
	if (r == 0 && snprintf(path, size, "%s", g.gl_pathv[0]) >= (int)size)
		r = -ENAMETOOLONG;
	globfree(&g);
	return r;
}

/* Downloads pkg=version into a fresh directory under the debs cache, then moves it in. */
static int download(struct modbuild_fetch *f, const char *spec, const char *pkg,
                    const char *version, char *path, size_t size, char *why, size_t why_size)
{
	char tmp[PATH_MAX], got[PATH_MAX];
	const char *const specs[] = {spec};
	int r;

	if (snprintf(tmp, sizeof(tmp), "%s/.download-XXXXXX", f->debs) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	if (!mkdtemp(tmp))
		return -errno;
	r = update(f, false, why, why_size);
	if (r == 0)
		r = apt_download_many(f->apt, specs, 1, tmp, why, why_size);
	if (r == -ECHILD && !f->updated) {
		/* A pinned version newer than our lists: refresh once and retry. */
		r = update(f, true, why, why_size);
		if (r == 0)
			r = apt_download_many(f->apt, specs, 1, tmp, why, why_size);
	}
	if (r == 0)
		r = find_deb(tmp, pkg, version, got, sizeof(got));
	if (r == 0 && path_join(path, size, f->debs, strrchr(got, '/') + 1) < 0)
		r = -ENAMETOOLONG;
	if (r == 0 && rename(got, path) < 0)
		r = -errno;
	remove_tree(tmp);
	return r;
}

int modbuild_fetch_deb(struct modbuild_fetch *f, const char *pkg, const char *version, char *path,
                       size_t size, char *why, size_t why_size)
{
	char spec[512], cause[256];
	int r;

	if (strchr(pkg, '/') || strchr(version, '/'))
		return -EINVAL;
	if (find_deb(f->debs, pkg, version, path, size) == 0)
		return 0;
	if (snprintf(spec, sizeof(spec), "%s=%s", pkg, version) >= (int)sizeof(spec))
		return -ENAMETOOLONG;
	r = download(f, spec, pkg, version, path, size, why, why_size);
	if (r == -ECHILD) {
		snprintf(cause, sizeof(cause), "%s", why);
		snprintf(why, why_size, "fetching %s: %s", spec, cause);
	} else if (r < 0) {
		snprintf(why, why_size, "fetching %s: %s", spec, strerror(-r));
	}
	return r;
}

void modbuild_fetch_close(struct modbuild_fetch *f)
{
	f->apt = apt_free(f->apt);
}
