/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apt for the module build, with a sources list and state of our own under
 * the cache: the NVIDIA source is in contrib, the firmware in
 * non-free-firmware, and a host tool must not edit /etc/apt to find them.
 * The host's apt.conf.d still applies (proxies). Lists are refreshed at most
 * hourly so that a warm build needs no network.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rootfs/fsutil.h"
#include "rootfs/modbuild.h"

#define KEYRING     "/usr/share/keyrings/debian-archive-keyring.gpg"
#define COMPONENTS  "main contrib non-free non-free-firmware"
#define STALE_AFTER 3600

static int write_text(const char *path, const char *text)
{
	char tmp[PATH_MAX + 8];
	FILE *f;
	int r = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	if (fputs(text, f) == EOF)
		r = -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	return r;
}

static int add_opt(struct modbuild_apt *a, const char *name, const char *value)
{
	if (a->nopts == sizeof(a->opts) / sizeof(a->opts[0]) ||
	    snprintf(a->opts[a->nopts], sizeof(a->opts[0]), "%s=%s", name, value) >=
	            (int)sizeof(a->opts[0]))
		return -ENAMETOOLONG;
	a->nopts++;
	return 0;
}

int modbuild_apt_init(struct modbuild_apt *a, const struct modbuild_opts *o, const char *cache,
                      char *why, size_t why_size)
{
	const char *suite = o->suite ? o->suite : "bookworm";
	const char *mirror = o->mirror ? o->mirror : "http://deb.debian.org/debian";
	const char *sec =
	        o->security_mirror ? o->security_mirror : "http://deb.debian.org/debian-security";
	char path[PATH_MAX], sources[2048];
	static const char *const dirs[] = {"parts", "state/lists/partial",
	                                   "cache/archives/partial"};
	int r;

	memset(a, 0, sizeof(*a));
	if (snprintf(a->dir, sizeof(a->dir), "%s/nvidia-modules/apt", cache) >=
	            (int)sizeof(a->dir) ||
	    snprintf(a->debs, sizeof(a->debs), "%s/debs", cache) >= (int)sizeof(a->debs))
		return -ENAMETOOLONG;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (path_join(path, sizeof(path), a->dir, dirs[i]) < 0)
			return -ENAMETOOLONG;
		if ((r = mkdir_parents(path, 0755)) < 0 ||
		    (mkdir(path, 0755) < 0 && errno != EEXIST)) {
			r = r < 0 ? r : -errno;
			snprintf(why, why_size, "creating %s: %s", path, strerror(-r));
			return r;
		}
	}
	if (mkdir(a->debs, 0755) < 0 && errno != EEXIST) {
		snprintf(why, why_size, "creating %s: %s", a->debs, strerror(errno));
		return -errno;
	}
	/* Rewritten every run: a changed mirror must not leave the old one in use. */
	snprintf(sources, sizeof(sources),
	         "deb [signed-by=" KEYRING "] %s %s " COMPONENTS "\n"
	         "deb [signed-by=" KEYRING "] %s %s-updates " COMPONENTS "\n"
	         "deb [signed-by=" KEYRING "] %s %s-security " COMPONENTS "\n",
	         mirror, suite, mirror, suite, sec, suite);
	if (path_join(path, sizeof(path), a->dir, "sources.list") < 0)
		return -ENAMETOOLONG;
	if ((r = write_text(path, sources)) < 0) {
		snprintf(why, why_size, "writing %s: %s", path, strerror(-r));
		return r;
	}
	r = add_opt(a, "Dir::Etc::SourceList", path);
	if (path_join(path, sizeof(path), a->dir, "status") < 0)
		return -ENAMETOOLONG;
	if (access(path, F_OK) != 0 && (r = write_text(path, "")) < 0)
		return r;
	if (r == 0)
		r = add_opt(a, "Dir::State::status", path);
#define DIROPT(name, sub)                                                                          \
	if (r == 0 && path_join(path, sizeof(path), a->dir, sub) == 0)                             \
		r = add_opt(a, name, path);
	DIROPT("Dir::Etc::SourceParts", "parts")
	DIROPT("Dir::Etc::PreferencesParts", "parts")
	DIROPT("Dir::Etc::Preferences", "parts/none")
	DIROPT("Dir::State", "state")
	DIROPT("Dir::Cache", "cache")
#undef DIROPT
	if (r == 0)
		r = add_opt(a, "Acquire::Languages", "none");
	/* As root apt drops to _apt for downloads, which cannot write into our cache. */
	if (r == 0 && geteuid() == 0)
		r = add_opt(a, "APT::Sandbox::User", "root");
	return r;
}

static int apt(struct modbuild_apt *a, const char *prog, const char *const *args, const char *cwd,
               char *capture, size_t size, char *why, size_t why_size)
{
	const char *argv[2 * 12 + 8];
	size_t n = 0;

	argv[n++] = prog;
	argv[n++] = "-qq";
	for (unsigned i = 0; i < a->nopts; i++) {
		argv[n++] = "-o";
		argv[n++] = a->opts[i];
	}
	while (*args && n < sizeof(argv) / sizeof(argv[0]) - 1)
		argv[n++] = *args++;
	argv[n] = NULL;
	return modbuild_exec(argv, cwd, -1, capture, size, why, why_size);
}

static int update(struct modbuild_apt *a, bool force, char *why, size_t why_size)
{
	char stamp[PATH_MAX];
	struct stat st;
	static const char *const args[] = {"update", NULL};
	int r;

	if (a->updated)
		return 0;
	if (path_join(stamp, sizeof(stamp), a->dir, "state/updated") < 0)
		return -ENAMETOOLONG;
	if (!force && stat(stamp, &st) == 0 && time(NULL) - st.st_mtime < STALE_AFTER)
		return 0;
	r = apt(a, "apt-get", args, NULL, NULL, 0, why, why_size);
	if (r < 0 && !force && stat(stamp, &st) == 0) {
		/* Offline with lists we have: resolve against them rather than fail. */
		fprintf(stderr,
		        "ccimage: modules: apt-get update failed (%s); using the lists of %s", why,
		        ctime(&st.st_mtime));
		a->updated = true;
		return 0;
	}
	if (r < 0)
		return r;
	a->updated = true;
	return write_text(stamp, "");
}

int modbuild_apt_candidate(struct modbuild_apt *a, const char *pkg, char *version, size_t size,
                           char *why, size_t why_size)
{
	const char *args[] = {"policy", pkg, NULL};
	char out[8192], *p, *end;
	int r = update(a, false, why, why_size);

	if (r < 0)
		return r;
	r = apt(a, "apt-cache", args, NULL, out, sizeof(out), why, why_size);
	if (r < 0)
		return r;
	p = strstr(out, "Candidate: ");
	if (!p || strncmp(p + 11, "(none)", 6) == 0) {
		snprintf(why, why_size, "%s: no such package in the suite's " COMPONENTS, pkg);
		return -ENOENT;
	}
	p += 11;
	end = strchr(p, '\n');
	if (!end || (size_t)(end - p) >= size)
		return -ENAMETOOLONG;
	memcpy(version, p, (size_t)(end - p));
	version[end - p] = '\0';
	return 0;
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

int modbuild_apt_fetch(struct modbuild_apt *a, const char *pkg, const char *version, char *path,
                       size_t size, char *why, size_t why_size)
{
	char spec[512], tmp[PATH_MAX], got[PATH_MAX], dest[PATH_MAX];
	const char *args[] = {"download", spec, NULL};
	const char *base;
	int r;

	if (strchr(pkg, '/') || strchr(version, '/'))
		return -EINVAL;
	if (find_deb(a->debs, pkg, version, path, size) == 0)
		return 0;
	if (snprintf(spec, sizeof(spec), "%s=%s", pkg, version) >= (int)sizeof(spec) ||
	    snprintf(tmp, sizeof(tmp), "%s/.download-XXXXXX", a->debs) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	if (!mkdtemp(tmp))
		return -errno;
	r = update(a, false, why, why_size);
	if (r == 0)
		r = apt(a, "apt-get", args, tmp, NULL, 0, why, why_size);
	if (r == -ECHILD && !a->updated) {
		/* A pinned version newer than our lists: refresh once and retry. */
		r = update(a, true, why, why_size);
		if (r == 0)
			r = apt(a, "apt-get", args, tmp, NULL, 0, why, why_size);
	}
	if (r == 0)
		r = find_deb(tmp, pkg, version, got, sizeof(got));
	if (r == 0) {
		base = strrchr(got, '/') + 1;
		if (path_join(dest, sizeof(dest), a->debs, base) < 0)
			r = -ENAMETOOLONG;
		else if (rename(got, dest) < 0)
			r = -errno;
		else if (snprintf(path, size, "%s", dest) >= (int)size)
			r = -ENAMETOOLONG;
	}
	if (r < 0 && r != -ECHILD)
		snprintf(why, why_size, "fetching %s: %s", spec, strerror(-r));
	else if (r == -ECHILD) {
		char cause[256];
		snprintf(cause, sizeof(cause), "%s", why);
		snprintf(why, why_size, "fetching %s: %s", spec, cause);
	}
	remove_tree(tmp);
	return r;
}
