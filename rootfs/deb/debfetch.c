/* SPDX-License-Identifier: Apache-2.0 */
/* .debs for host builds through the image build's apt and its debs cache (debfetch.h). */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "rootfs/deb/apt.h"
#include "rootfs/deb/debfetch.h"
#include "rootfs/lib/fsutil.h"

/* apt's state is the image build's (a private one under the cache): a host tool never edits
 * /etc/apt. */
static const char *const main_only[] = {"main"};

int deb_fetch_open(struct deb_fetch *f, const struct deb_fetch_opts *o, const char *cache,
                   char *why, size_t why_size)
{
	const struct apt_sources src = {.suite = o->suite,
	                                .mirror = o->mirror,
	                                .security_mirror = o->security_mirror,
	                                .keyring = o->keyring,
	                                .components = o->components ? o->components : main_only,
	                                .ncomponents = o->components ? o->ncomponents : 1,
	                                .updates = true};
	int r = 0;

	f->what = o->what;
	f->components[0] = '\0';
	for (size_t i = 0; i < src.ncomponents; i++)
		snprintf(f->components + strlen(f->components),
		         sizeof(f->components) - strlen(f->components), "%s%s", i ? " " : "",
		         src.components[i]);
	if (path_join(f->debs, sizeof(f->debs), cache, "debs") < 0)
		return -ENAMETOOLONG;
	/* A first run on a fresh host has no cache directory yet. */
	if ((r = mkdir_parents(f->debs, 0755)) < 0 ||
	    (mkdir(f->debs, 0755) < 0 && errno != EEXIST)) {
		r = r < 0 ? r : -errno;
		snprintf(why, why_size, "creating %s: %s", f->debs, strerror(-r));
		return r;
	}
	return apt_open_sources(&src, o->quiet, &f->apt, why, why_size);
}

/* Lists are refreshed at most hourly so that a warm build needs no network. */
static int update(struct deb_fetch *f, bool force, char *why, size_t why_size)
{
	time_t before = 0, when;
	int r;

	if (f->updated)
		return 0;
	(void)apt_updated_at(f->apt, &before);
	r = apt_update(f->apt, force, why, why_size);
	if (r < 0 && !force && apt_updated_at(f->apt, &when) == 0) {
		/* Offline with lists we have: resolve against them rather than fail. */
		fprintf(stderr, "ccimage: %s: %s; using the lists of %s", f->what, why,
		        ctime(&when));
		f->updated = true;
		return 0;
	}
	/* Refreshed in this run (not skipped as fresh): a retry would fetch the same lists. */
	if (r == 0 && apt_updated_at(f->apt, &when) == 0 && (force || when != before))
		f->updated = true;
	return r;
}

int deb_fetch_candidate(struct deb_fetch *f, const char *pkg, char *version, size_t size, char *why,
                        size_t why_size)
{
	struct apt_pkg p;
	int r = update(f, false, why, why_size);

	if (r == 0)
		r = apt_show(f->apt, pkg, &p, why, why_size);
	if (r == -ENOENT)
		snprintf(why, why_size, "%s: no such package in the suite's %s", pkg,
		         f->components);
	if (r == 0 && snprintf(version, size, "%s", p.version) >= (int)size)
		r = -ENAMETOOLONG;
	return r;
}

int deb_fetch_show(struct deb_fetch *f, const char *spec, struct apt_pkg *p, char *why,
                   size_t why_size)
{
	int r = update(f, false, why, why_size);

	return r < 0 ? r : apt_show(f->apt, spec, p, why, why_size);
}

int deb_fetch_closure(struct deb_fetch *f, const char *const *specs, size_t n,
                      struct apt_name_version **out, size_t *count, char *why, size_t why_size)
{
	int r = update(f, false, why, why_size);

	*out = NULL;
	*count = 0;
	if (r == 0)
		r = apt_closure(f->apt, specs, n, out, count, why, why_size);
	if (r == 0 && *count == 0) {
		snprintf(why, why_size, "apt-get -s install resolved no packages");
		r = -EPROTO;
	}
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

/*
 * Downloads the specs (nv[i] as "name=version") in one apt run into a fresh
 * directory under the debs cache, then moves each into the cache.
 */
static int download(struct deb_fetch *f, const char *const *specs,
                    const struct apt_name_version *nv, size_t n, char *why, size_t why_size)
{
	char tmp[PATH_MAX], got[PATH_MAX], path[PATH_MAX];
	int r;

	if (snprintf(tmp, sizeof(tmp), "%s/.download-XXXXXX", f->debs) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	if (!mkdtemp(tmp))
		return -errno;
	r = update(f, false, why, why_size);
	if (r == 0)
		r = apt_download_many(f->apt, specs, n, tmp, why, why_size);
	if (r == -ECHILD && !f->updated) {
		/* A pinned version newer than our lists: refresh once and retry. */
		r = update(f, true, why, why_size);
		if (r == 0)
			r = apt_download_many(f->apt, specs, n, tmp, why, why_size);
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		r = find_deb(tmp, nv[i].name, nv[i].version, got, sizeof(got));
		if (r == 0 && path_join(path, sizeof(path), f->debs, strrchr(got, '/') + 1) < 0)
			r = -ENAMETOOLONG;
		if (r == 0 && rename(got, path) < 0)
			r = -errno;
		if (r < 0)
			snprintf(why, why_size, "fetching %s=%s: %s", nv[i].name, nv[i].version,
			         strerror(-r));
	}
	remove_tree(tmp);
	return r;
}

int deb_fetch_debs(struct deb_fetch *f, const struct apt_name_version *nv, size_t n,
                   char (*paths)[PATH_MAX], char *why, size_t why_size)
{
	struct apt_name_version *missing = calloc(n ? n : 1, sizeof(*missing));
	char(*specs)[sizeof(nv->name) + sizeof(nv->version) + 1] =
	        calloc(n ? n : 1, sizeof(*specs));
	const char **spec_ptrs = calloc(n ? n : 1, sizeof(*spec_ptrs));
	size_t m = 0;
	int r = missing && specs && spec_ptrs ? 0 : -ENOMEM;

	for (size_t i = 0; r == 0 && i < n; i++) {
		if (strchr(nv[i].name, '/') || strchr(nv[i].version, '/')) {
			snprintf(why, why_size, "bad package %s=%s", nv[i].name, nv[i].version);
			r = -EINVAL;
		} else if (find_deb(f->debs, nv[i].name, nv[i].version, paths[i], PATH_MAX) < 0) {
			missing[m] = nv[i];
			snprintf(specs[m], sizeof(specs[m]), "%s=%s", nv[i].name, nv[i].version);
			spec_ptrs[m] = specs[m];
			m++;
		}
	}
	if (r == 0 && m)
		r = download(f, spec_ptrs, missing, m, why, why_size);
	/* Now every one is in the cache. */
	for (size_t i = 0; r == 0 && m && i < n; i++)
		if ((r = find_deb(f->debs, nv[i].name, nv[i].version, paths[i], PATH_MAX)) < 0)
			snprintf(why, why_size, "%s=%s: not in %s after the download", nv[i].name,
			         nv[i].version, f->debs);
	if (r == -ECHILD) {
		char cause[256];
		snprintf(cause, sizeof(cause), "%s", why);
		snprintf(why, why_size, "fetching %zu packages: %s", m, cause);
	}
	free(missing);
	free(specs);
	free(spec_ptrs);
	return r;
}

int deb_fetch_deb(struct deb_fetch *f, const char *pkg, const char *version, char *path,
                  size_t size, char *why, size_t why_size)
{
	struct apt_name_version nv;
	char paths[1][PATH_MAX];
	int r;

	if (snprintf(nv.name, sizeof(nv.name), "%s", pkg) >= (int)sizeof(nv.name) ||
	    snprintf(nv.version, sizeof(nv.version), "%s", version) >= (int)sizeof(nv.version))
		return -ENAMETOOLONG;
	r = deb_fetch_debs(f, &nv, 1, paths, why, why_size);
	if (r == 0 && snprintf(path, size, "%s", paths[0]) >= (int)size)
		r = -ENAMETOOLONG;
	return r;
}

void deb_fetch_close(struct deb_fetch *f)
{
	f->apt = apt_free(f->apt);
}
