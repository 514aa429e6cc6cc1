/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs/lib/hostbuild.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "init/base/why.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/spawn.h"

#define HOSTBUILD_WORK_PREFIX "/var/tmp/ccimage-"

int hostbuild_check_cache(const char *cache, char *why, size_t why_size)
{
	struct stat st;

	if (!*cache)
		return why_set(why, why_size, -EINVAL, "an empty path");
	if (stat(cache, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0
		                           : why_set(why, why_size, -ENOTDIR, "not a directory");
	if (errno == ENOENT)
		return 0; /* made on first use, parents included */
	if (errno == ENOTDIR)
		return why_set(why, why_size, -ENOTDIR,
		               "a component of the path is not a directory");
	return why_set(why, why_size, -errno, "%s", strerror(errno));
}

/* Debian policy 5.6.12; what apt would only answer after fetching the lists. */
int hostbuild_check_version(const char *version, char *why, size_t why_size)
{
	const char *p = version, *colon = strchr(version, ':'), *dash = strrchr(version, '-');
	size_t len = strlen(version);

	if (len == 0 || len >= 128)
		return why_set(why, why_size, -EINVAL,
		               "not a Debian version (1 to 127 characters)");
	if (colon) {
		for (; p < colon; p++)
			if (!isdigit((unsigned char)*p))
				return why_set(
				        why, why_size, -EINVAL,
				        "not a Debian version: the epoch before ':' is not a "
				        "number");
		p++;
	}
	if (!isdigit((unsigned char)*p))
		return why_set(why, why_size, -EINVAL,
		               "not a Debian version: it must start with a digit (6.12.118-1)");
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".+~-:", *p))
			return why_set(why, why_size, -EINVAL,
			               "not a Debian version: '%c' is not allowed in one", *p);
	if (dash && (!dash[1] || strchr(dash, ':')))
		return why_set(why, why_size, -EINVAL,
		               "not a Debian version: an empty or bad revision after '-'");
	return 0;
}

int hostbuild_check_dir(const char *path, char *why, size_t why_size)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return why_set(why, why_size, -errno, "%s", strerror(errno));
	return S_ISDIR(st.st_mode) ? 0 : why_set(why, why_size, -ENOTDIR, "not a directory");
}

int hostbuild_check_options(const struct hostbuild_option *opts, size_t n, char *why,
                            size_t why_size)
{
	char what[512];
	int r;

	for (size_t i = 0; i < n; i++) {
		if (!opts[i].value)
			continue;
		what[0] = '\0';
		if ((r = opts[i].check(opts[i].value, what, sizeof(what))) < 0)
			return why_set(why, why_size, r, "%s %s: %s", opts[i].name, opts[i].value,
			               why_or_errno(what, r));
	}
	return 0;
}

double hostbuild_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void hostbuild_progress(const struct hostbuild *h, const char *what, const char *arg)
{
	if (!h->quiet)
		fprintf(stderr, "ccimage: %s: %s%s%s\n", h->what, what, arg[0] ? " " : "", arg);
}

int hostbuild_tools_key(const struct hostbuild_tool *tools, size_t n, const char *hint, char *text,
                        size_t size, size_t *used, char *why, size_t why_size)
{
	char line[256];
	int r;

	for (size_t i = 0; i < n; i++) {
		r = spawn_version_line(tools[i].argv, tools[i].match, line, sizeof(line), why,
		                       why_size);
		if (r == -ENOENT)
			snprintf(why, why_size, "%s not found: %s", tools[i].argv[0], hint);
		if (r < 0)
			return r;
		*used += (size_t)snprintf(text + *used, size - *used, "%s %s\n", tools[i].label,
		                          line);
		if (*used >= size)
			return -ENAMETOOLONG;
	}
	return 0;
}

int hostbuild_paths(struct hostbuild *h, const char *key)
{
	h->log_fd = h->lock_fd = -1;
	if (snprintf(h->work, sizeof(h->work), "%s%s-%.32s", HOSTBUILD_WORK_PREFIX, h->what, key) >=
	            (int)sizeof(h->work) ||
	    path_join(h->log, sizeof(h->log), h->work, "build.log") < 0)
		return -ENAMETOOLONG;
	return 0;
}

/* The fresh work directory and its log, with work's lock already held. */
static int fresh_work(struct hostbuild *h, char *why, size_t why_size)
{
	struct stat st;

	if (lstat(h->work, &st) == 0 && (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())) {
		snprintf(why, why_size, "%s exists and is not this user's directory", h->work);
		return -EEXIST;
	}
	remove_tree(h->work);
	if (mkdir(h->work, 0700) < 0) {
		snprintf(why, why_size, "creating %s: %s", h->work, strerror(errno));
		return -errno;
	}
	h->log_fd = open(h->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (h->log_fd < 0) {
		snprintf(why, why_size, "creating %s: %s", h->log, strerror(errno));
		return -errno;
	}
	hostbuild_progress(h, "log:", h->log);
	return 0;
}

int hostbuild_begin(struct hostbuild *h, char *why, size_t why_size)
{
	char lock[PATH_MAX + 8];
	int r;

	snprintf(lock, sizeof(lock), "%s.lock", h->work);
	r = lock_path(lock, 0600, why, why_size);
	if (r >= 0) {
		h->lock_fd = r;
		r = fresh_work(h, why, why_size);
	}
	if (r < 0)
		hostbuild_end(h, false);
	return r;
}

int hostbuild_step(struct hostbuild *h, const char *what, const char *const *argv, const char *cwd,
                   char *why, size_t why_size)
{
	int r;

	hostbuild_progress(h, what, "");
	r = spawn_run(argv, &(const struct spawn_io){.cwd = cwd, .log_fd = h->log_fd}, why,
	              why_size);
	if (r == -ECHILD) {
		size_t len = strlen(why);
		snprintf(why + len, why_size - len, "; see %s", h->log);
	}
	return r;
}

void hostbuild_end(struct hostbuild *h, bool succeeded)
{
	if (h->log_fd >= 0)
		close(h->log_fd);
	h->log_fd = -1;
	if (succeeded)
		remove_tree(h->work);
	if (h->lock_fd >= 0)
		close(h->lock_fd);
	h->lock_fd = -1;
}
