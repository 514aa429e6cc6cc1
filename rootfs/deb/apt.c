/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs/deb/apt.h"
#include "rootfs/deb/apt_internal.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "init/base/fileio.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/spawn.h"

const char *apt_cache_dir(void)
{
	const char *c = getenv("CCINIT_CACHE");
	return c && *c ? c : "/var/cache/ccinit";
}

static struct apt_sources recipe_sources(const struct recipe *r)
{
	return (struct apt_sources){.suite = r->debian.suite,
	                            .mirror = r->debian.mirror,
	                            .security_mirror = r->debian.security_mirror,
	                            .keyring = r->debian.keyring,
	                            .snapshot = r->debian.snapshot,
	                            .architecture = r->debian.architecture,
	                            .components = (const char *const *)r->debian.components,
	                            .ncomponents = r->debian.ncomponents,
	                            .updates = r->debian.updates};
}

static void mirrors(const struct apt_sources *src, char *main_url, char *sec_url, size_t size)
{
	if (src->snapshot) {
		snprintf(main_url, size, "http://snapshot.debian.org/archive/debian/%s",
		         src->snapshot);
		snprintf(sec_url, size, "http://snapshot.debian.org/archive/debian-security/%s",
		         src->snapshot);
	} else {
		snprintf(main_url, size, "%s", src->mirror ? src->mirror : APT_DEBIAN_MIRROR);
		snprintf(sec_url, size, "%s",
		         src->security_mirror ? src->security_mirror : APT_DEBIAN_SECURITY_MIRROR);
	}
	for (char *u = main_url; u; u = u == main_url ? sec_url : NULL) {
		size_t n = strlen(u);
		while (n > 0 && u[n - 1] == '/')
			u[--n] = '\0';
	}
}

void apt_file_url(const struct recipe *r, const char *filename, char *buf, size_t size)
{
	const struct apt_sources src = recipe_sources(r);
	char m[512], s[512];

	mirrors(&src, m, s, sizeof(m));
	/* Security uploads live in the security archive's pool; apt says which by the path only. */
	snprintf(buf, size, "%s/%s", strstr(filename, "updates/") ? s : m, filename);
}

/* Adds "-o key=value suffix". */
static int add_opt(struct apt *a, const char *key, const char *value, const char *suffix)
{
	char v[sizeof(a->root)];

	if (a->nopts == MAX_OPTS)
		return -E2BIG;
	snprintf(v, sizeof(v), "%s", value); /* value may be a->root: no overlapping copy */
	snprintf(a->opt_store[a->nopts++], sizeof(a->opt_store[0]), "%s=%s%s", key, v, suffix);
	return 0;
}

int apt_open(const struct recipe *r, bool quiet, struct apt **ret, char *why, size_t why_size)
{
	const struct apt_sources src = recipe_sources(r);

	return apt_open_sources(&src, quiet, ret, why, why_size);
}

bool apt_quiet(const struct apt *a)
{
	return a->quiet;
}

int apt_open_suite(const struct recipe *r, const char *suite, bool quiet, struct apt **ret,
                   char *why, size_t why_size)
{
	struct apt_sources src = recipe_sources(r);

	src.suite = suite;
	return apt_open_sources(&src, quiet, ret, why, why_size);
}

/* One sources.list line: "deb[-src] [signed-by=K arch=A] URL SUITE COMPONENTS". */
static int source_line(char *buf, size_t size, const struct apt_sources *src, const char *url,
                       const char *suffix, const char *comps)
{
	char arch[64] = "";

	if (src->architecture)
		snprintf(arch, sizeof(arch), " arch=%s", src->architecture);
	return snprintf(buf, size, "%s [signed-by=%s%s] %s %s%s%s\n",
	                src->sources ? "deb-src" : "deb",
	                src->keyring ? src->keyring : APT_DEBIAN_KEYRING, arch, url, src->suite,
	                suffix, comps);
}

int apt_open_sources(const struct apt_sources *src, bool quiet, struct apt **ret, char *why,
                     size_t why_size)
{
	char sources[4096], m[512], s[512], comps[512] = "", path[PATH_MAX];
	uint8_t md[32];
	unsigned mdlen = 0;
	struct apt *a;
	int n, rc;

	*ret = NULL;
	mirrors(src, m, s, sizeof(m));
	for (size_t i = 0; i < src->ncomponents; i++) {
		size_t len = strlen(comps);
		snprintf(comps + len, sizeof(comps) - len, " %s", src->components[i]);
	}
	/*
	 * A release has -updates and -security pockets; a suite that is itself a
	 * pocket (trixie-backports) has neither, and apt would fail on the lines.
	 */
	bool pockets = src->updates && !strchr(src->suite, '-');

	n = source_line(sources, sizeof(sources), src, m, "", comps);
	if (pockets && n > 0 && (size_t)n < sizeof(sources))
		n += source_line(sources + n, sizeof(sources) - (size_t)n, src, m, "-updates",
		                 comps);
	if (pockets && n > 0 && (size_t)n < sizeof(sources))
		n += source_line(sources + n, sizeof(sources) - (size_t)n, src, s, "-security",
		                 comps);
	if (n < 0 || (size_t)n >= sizeof(sources)) {
		snprintf(why, why_size, "apt sources too long");
		return -ENAMETOOLONG;
	}
	EVP_Digest(sources, strlen(sources), md, &mdlen, EVP_sha256(), NULL);
	if (!(a = calloc(1, sizeof(*a))))
		return -ENOMEM;
	a->quiet = quiet;
	n = snprintf(a->root, sizeof(a->root), "%s/apt/", apt_cache_dir());
	for (int i = 0; i < 8 && n > 0 && (size_t)n + 3 < sizeof(a->root); i++)
		n += snprintf(a->root + n, sizeof(a->root) - (size_t)n, "%02x", md[i]);
	static const char *const subdirs[] = {"", "/state/lists/partial", "/cache/archives/partial",
	                                      "/empty"};
	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s/x", a->root, subdirs[i]);
		if ((rc = mkdir_parents(path, 0755)) < 0) {
			snprintf(why, why_size, "creating %s: %s", path, strerror(-rc));
			free(a);
			return rc;
		}
	}
	snprintf(path, sizeof(path), "%s/sources.list", a->root);
	rc = write_string_file(path, sources, 0);
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s/status", a->root);
		rc = write_string_file(path, "", 0);
	}
	if (rc < 0) {
		snprintf(why, why_size, "writing %s: %s", path, strerror(-rc));
		free(a);
		return rc;
	}
	rc = add_opt(a, "Dir::Etc::SourceList", a->root, "/sources.list");
	rc |= add_opt(a, "Dir::Etc::SourceParts", a->root, "/empty");
	rc |= add_opt(a, "Dir::Etc::Preferences", a->root, "/empty/none");
	rc |= add_opt(a, "Dir::Etc::PreferencesParts", a->root, "/empty");
	rc |= add_opt(a, "Dir::State", a->root, "/state");
	rc |= add_opt(a, "Dir::State::status", a->root, "/status");
	rc |= add_opt(a, "Dir::Cache", a->root, "/cache");
	if (src->architecture) {
		rc |= add_opt(a, "APT::Architecture", src->architecture, "");
		rc |= add_opt(a, "APT::Architectures", src->architecture, "");
	}
	rc |= add_opt(a, "Acquire::Languages", "none", "");
	rc |= add_opt(a, "APT::Get::AllowUnauthenticated", "false", "");
	/* Downloads land in our cache, which the _apt user cannot write; apt says so each time. */
	rc |= add_opt(a, "APT::Sandbox::User", "root", "");
	if (src->snapshot)
		rc |= add_opt(a, "Acquire::Check-Valid-Until", "false", "");
	if (rc) {
		free(a);
		return -E2BIG;
	}
	*ret = a;
	return 0;
}

struct apt *apt_free(struct apt *a)
{
	free(a);
	return NULL;
}

/*
 * Runs an apt program with our options. cwd: where it runs (NULL: here);
 * out: its stdout (NULL: to our stderr, or into errors when that is a
 * descriptor); errors: APT_ERRORS_OURS (our stderr, hidden when quiet),
 * APT_ERRORS_NULL, or a descriptor that takes them. *out is set even when
 * apt fails: apt-cache prints what it found.
 */
static int run_apt_unlocked(struct apt *a, const char *prog, const char *const *args,
                            const char *cwd, char **out, size_t *out_len, int errors)
{
	const struct spawn_io io = {.cwd = cwd,
	                            .capture = out,
	                            .capture_len = out_len,
	                            .log_fd = errors > 0 ? errors : 0,
	                            .stderr_null = errors == APT_ERRORS_NULL ||
	                                           (errors == APT_ERRORS_OURS && a->quiet)};
	size_t n = 0, nargs = 0;
	char why[256];
	int r;

	while (args[nargs])
		nargs++;
	const char **argv = calloc(2 * a->nopts + nargs + 2, sizeof(char *));
	if (!argv)
		return -ENOMEM;
	argv[n++] = prog;
	for (size_t i = 0; i < a->nopts; i++) {
		argv[n++] = "-o";
		argv[n++] = a->opt_store[i];
	}
	for (; *args; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	r = spawn_run(argv, &io, why, sizeof(why));
	free(argv);
	return r;
}

/*
 * apt refuses to run when another apt holds its lists lock; two builds of
 * recipes with the same archives share this state, so they take turns.
 */
int apt_run(struct apt *a, const char *prog, const char *const *args, const char *cwd, char **out,
            size_t *out_len, int errors)
{
	char path[sizeof(a->root) + 32];
	int fd, r;

	snprintf(path, sizeof(path), "%s/ccimage.lock", a->root);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			r = -errno;
			close(fd);
			return r;
		}
	r = run_apt_unlocked(a, prog, args, cwd, out, out_len, errors);
	close(fd);
	return r;
}

/* The first "E: " line apt wrote into fd, without the prefix. */
static void first_apt_error(int fd, char *out, size_t size, const char *mark)
{
	char text[16384];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);

	if (n <= 0)
		return;
	text[n] = '\0';
	for (char *line = text, *end; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (end)
			*end = '\0';
		if (strncmp(line, mark, 3) == 0) {
			snprintf(out, size, "%s", line + 3);
			return;
		}
	}
}

/*
 * Whether the lists hold any package or source index. apt-get update exits 0
 * when it could reach no archive at all (each failed fetch only a warning),
 * and an empty list then reads as "no such package", bad input, when the
 * network is what failed.
 */
static bool has_index(const struct apt *a)
{
	char path[PATH_MAX];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "%s/state/lists", a->root);
	if (!(d = opendir(path)))
		return false;
	while (!found && (de = readdir(d)))
		found = strstr(de->d_name, "_Packages") || strstr(de->d_name, "_Sources");
	closedir(d);
	return found;
}

int apt_update(struct apt *a, bool force, char *why, size_t why_size)
{
	char stamp[PATH_MAX];
	struct stat st;
	int r;

	snprintf(stamp, sizeof(stamp), "%s/update-stamp", a->root);
	if (!force && stat(stamp, &st) == 0 && time(NULL) - st.st_mtime < 3600)
		return 0;
	const char *args[] = {a->quiet ? "-qq" : "-q", "update", NULL};
	/* Quiet hides apt's progress, never the reason it refused an archive. */
	int log = a->quiet ? memfd_create("apt-update", MFD_CLOEXEC) : -1;
	r = apt_run(a, "apt-get", args, NULL, NULL, NULL, log >= 0 ? log : APT_ERRORS_OURS);
	if (r < 0) {
		char first_error[512] = "";
		if (log >= 0)
			first_apt_error(log, first_error, sizeof(first_error), "E: ");
		snprintf(why, why_size, "apt-get update of the archives failed: %s",
		         first_error[0] ? first_error
		         : r == -ECHILD ? "see apt's messages above"
		                        : strerror(-r));
	}
	if (r == 0 && !has_index(a)) {
		char warning[512] = "";
		if (log >= 0)
			first_apt_error(log, warning, sizeof(warning), "W: ");
		snprintf(why, why_size,
		         "apt-get update fetched no package index: a network failure, the "
		         "archives could not be reached (%s)",
		         warning[0] ? warning : "see apt's messages above");
		r = -ENETUNREACH;
	}
	if (log >= 0)
		close(log);
	if (r < 0)
		return r;
	int fd = open(stamp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	return 0;
}

int apt_updated_at(struct apt *a, time_t *when)
{
	char stamp[PATH_MAX];
	struct stat st;

	snprintf(stamp, sizeof(stamp), "%s/update-stamp", a->root);
	if (stat(stamp, &st) < 0)
		return -errno;
	*when = st.st_mtime;
	return 0;
}

void deb822_field(const char *stanza, size_t len, const char *name, char *out, size_t size)
{
	size_t nl = strlen(name);

	out[0] = '\0';
	for (const char *p = stanza; p < stanza + len;) {
		const char *eol = memchr(p, '\n', (size_t)(stanza + len - p));
		if (!eol)
			eol = stanza + len;
		if ((size_t)(eol - p) > nl && memcmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (v < eol && *v == ' ')
				v++;
			snprintf(out, size, "%.*s", (int)(eol - v), v);
			return;
		}
		p = eol + 1;
	}
}

/* Fills p from one deb822 stanza. */
static void parse_stanza(const char *text, size_t len, struct apt_pkg *p)
{
	char size[32];

	memset(p, 0, sizeof(*p));
	deb822_field(text, len, "Package", p->name, sizeof(p->name));
	deb822_field(text, len, "Version", p->version, sizeof(p->version));
	deb822_field(text, len, "Architecture", p->arch, sizeof(p->arch));
	deb822_field(text, len, "SHA256", p->sha256, sizeof(p->sha256));
	deb822_field(text, len, "Filename", p->filename, sizeof(p->filename));
	deb822_field(text, len, "Depends", p->depends, sizeof(p->depends));
	deb822_field(text, len, "Size", size, sizeof(size));
	p->size = strtoull(size, NULL, 10);
}

static bool spec_matches(const char *spec, const struct apt_pkg *p)
{
	const char *eq = strchr(spec, '=');
	size_t nlen = eq ? (size_t)(eq - spec) : strlen(spec);

	return strlen(p->name) == nlen && memcmp(p->name, spec, nlen) == 0 &&
	       (!eq || strcmp(eq + 1, p->version) == 0);
}

int apt_show_many(struct apt *a, const char *const *specs, size_t n, struct apt_pkg *out, char *why,
                  size_t why_size)
{
	const char **args = calloc(n + 3, sizeof(char *));
	char *text = NULL;
	size_t len = 0;
	int r;

	if (!args)
		return -ENOMEM;
	args[0] = "show";
	args[1] = "--no-all-versions";
	for (size_t i = 0; i < n; i++) {
		args[i + 2] = specs[i];
		memset(&out[i], 0, sizeof(out[i]));
	}
	/* One run for all: each apt start reads the whole package cache (about a second). */
	r = apt_run(a, "apt-cache", args, NULL, &text, &len, APT_ERRORS_NULL);
	free(args);
	if (r == -ENOMEM || !text)
		return -ENOMEM;
	/* A missing package makes apt-cache fail, and it still prints the others. */
	for (const char *p = text; p < text + len;) {
		const char *end = strstr(p, "\n\n");
		size_t slen = end ? (size_t)(end - p) + 1 : (size_t)(text + len - p);
		struct apt_pkg one;
		parse_stanza(p, slen, &one);
		for (size_t i = 0; i < n; i++)
			if (!out[i].name[0] && spec_matches(specs[i], &one)) {
				out[i] = one;
				break;
			}
		p += slen + (end ? 1 : 0);
	}
	free(text);
	for (size_t i = 0; i < n; i++)
		if (out[i].name[0] &&
		    (!out[i].version[0] || strlen(out[i].sha256) != 64 || !out[i].filename[0])) {
			snprintf(why, why_size,
			         "apt-cache show %s: no Package, Version, SHA256 or Filename",
			         specs[i]);
			return -EPROTO;
		}
	return 0;
}

int apt_show(struct apt *a, const char *spec, struct apt_pkg *out, char *why, size_t why_size)
{
	int r = apt_show_many(a, &spec, 1, out, why, why_size);

	if (r == 0 && !out->name[0]) {
		snprintf(why, why_size, "the recipe's archives have no %s", spec);
		return -ENOENT;
	}
	return r;
}

/* One "Inst NAME (VERSION ARCHIVES [ARCH])" line of apt-get's simulation. */
static bool parse_inst(const char *line, struct apt_name_version *nv)
{
	int name_len = 0, version_len = 0;

	if (sscanf(line, "Inst %*127s%n (%*127s%n", &name_len, &version_len) != 0 || !version_len)
		return false;
	snprintf(nv->name, sizeof(nv->name), "%.*s", name_len - 5, line + 5);
	snprintf(nv->version, sizeof(nv->version), "%.*s", version_len - name_len - 2,
	         line + name_len + 2);
	return true;
}

int apt_closure(struct apt *a, const char *const *specs, size_t n, struct apt_name_version **out,
                size_t *count, char *why, size_t why_size)
{
	const char **args = calloc(n + 4, sizeof(char *));
	char *text = NULL;
	size_t len = 0, used = 0, cap = 0;
	int r;

	*out = NULL;
	*count = 0;
	if (!args)
		return -ENOMEM;
	args[0] = "-s";
	args[1] = "install";
	args[2] = "--no-install-recommends";
	for (size_t i = 0; i < n; i++)
		args[i + 3] = specs[i];
	r = apt_run(a, "apt-get", args, NULL, &text, &len, APT_ERRORS_OURS);
	free(args);
	if (r < 0) {
		snprintf(why, why_size, "apt-get -s install: the archives cannot satisfy %s%s",
		         n == 1 ? specs[0] : "these packages", " (see apt's messages)");
		free(text);
		return r;
	}
	for (char *line = text, *eol; line && *line; line = eol ? eol + 1 : NULL) {
		struct apt_name_version nv;
		if ((eol = strchr(line, '\n')))
			*eol = '\0';
		if (!parse_inst(line, &nv))
			continue;
		if (used == cap) {
			cap = cap ? 2 * cap : 128;
			struct apt_name_version *more = realloc(*out, cap * sizeof(**out));
			if (!more) {
				r = -ENOMEM;
				break;
			}
			*out = more;
		}
		(*out)[used++] = nv;
	}
	free(text);
	*count = used;
	return r;
}

int apt_download_many(struct apt *a, const char *const *specs, size_t n, const char *dir, char *why,
                      size_t why_size)
{
	const char **args = calloc(n + 3, sizeof(char *));
	int r;

	if (!args)
		return -ENOMEM;
	args[0] = a->quiet ? "-qq" : "-q";
	args[1] = "download";
	for (size_t i = 0; i < n; i++)
		args[i + 2] = specs[i];
	r = apt_run(a, "apt-get", args, dir, NULL, NULL, APT_ERRORS_OURS);
	free(args);
	if (r < 0)
		snprintf(why, why_size, "apt-get download of %zu packages failed%s", n,
		         r == -ECHILD ? " (see apt's messages)" : "");
	return r;
}
