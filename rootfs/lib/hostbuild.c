/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs/lib/hostbuild.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/spawn.h"

#define HOSTBUILD_WORK_PREFIX "/var/tmp/ccimage-"

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
