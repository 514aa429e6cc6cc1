/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/lib/fsutil.h"

int path_join(char *buf, size_t size, const char *a, const char *b)
{
	int n = snprintf(buf, size, "%s/%s", a, b);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int mkdir_parents(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = strchr(buf + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

int copy_file(const char *from, const char *to, mode_t mode)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		int r = -errno;
		close(in);
		return r;
	}
	char buf[65536];
	ssize_t n;
	int r = 0;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			r = -EIO;
			break;
		}
	if (n < 0)
		r = -errno;
	if (fchmod(out, mode) < 0 && r == 0)
		r = -errno;
	close(in);
	if (close(out) < 0 && r == 0)
		r = -errno;
	return r;
}

static const char *file_kind(mode_t mode)
{
	return S_ISDIR(mode)    ? "a directory"
	       : S_ISCHR(mode)  ? "a character device"
	       : S_ISBLK(mode)  ? "a block device"
	       : S_ISFIFO(mode) ? "a FIFO"
	       : S_ISSOCK(mode) ? "a socket"
	                        : "not a regular file";
}

int open_input_file(const char *path, uint64_t max, bool follow, struct stat *st, char *why,
                    size_t why_size)
{
	int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
	int fd = open(path, flags), r;

	if (fd < 0) {
		r = -errno;
		if (r == -ELOOP) {
			snprintf(why, why_size, "%s",
			         follow ? "a symlink loop"
			                : "a symlink (follow: true copies its target)");
			return -EINVAL;
		}
		snprintf(why, why_size, "%s", strerror(-r));
		return r;
	}
	if (fstat(fd, st) < 0) {
		r = -errno;
		snprintf(why, why_size, "%s", strerror(-r));
		close(fd);
		return r;
	}
	if (!S_ISREG(st->st_mode) || (uint64_t)st->st_size > max) {
		if (S_ISREG(st->st_mode))
			snprintf(why, why_size, "%llu bytes, more than the %llu allowed",
			         (unsigned long long)st->st_size, (unsigned long long)max);
		else
			snprintf(why, why_size, "%s, not a regular file", file_kind(st->st_mode));
		close(fd);
		return -EINVAL;
	}
	return fd;
}

struct walk {
	char path[PATH_MAX];
	unsigned flags;
	int (*fn)(const char *path, const struct stat *st, void *userdata);
	void *userdata;
};

/* w->path names the entry; its length is len. */
static int walk_at(struct walk *w, size_t len)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (lstat(w->path, &st) < 0)
		return -errno;
	if (!(w->flags & TREE_DEPTH) && (r = w->fn(w->path, &st, w->userdata)) < 0)
		return r;
	if (S_ISDIR(st.st_mode)) {
		if (!(d = opendir(w->path)))
			return -errno;
		while (r == 0 && (de = readdir(d))) {
			size_t n = strlen(de->d_name);
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			if (len + 1 + n >= sizeof(w->path)) {
				r = -ENAMETOOLONG;
				break;
			}
			w->path[len] = '/';
			memcpy(w->path + len + 1, de->d_name, n + 1);
			r = walk_at(w, len + 1 + n);
			w->path[len] = '\0';
		}
		closedir(d);
	}
	if (r == 0 && (w->flags & TREE_DEPTH))
		r = w->fn(w->path, &st, w->userdata);
	return r;
}

int tree_walk(const char *root, unsigned flags,
              int (*fn)(const char *path, const struct stat *st, void *userdata), void *userdata)
{
	struct walk *w = malloc(sizeof(*w));
	size_t len = strlen(root);
	int r;

	if (!w)
		return -ENOMEM;
	if (len >= sizeof(w->path)) {
		free(w);
		return -ENAMETOOLONG;
	}
	memcpy(w->path, root, len + 1);
	w->flags = flags;
	w->fn = fn;
	w->userdata = userdata;
	r = walk_at(w, len);
	free(w);
	return r;
}

bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	bool empty = d != NULL;

	while (empty && (de = readdir(d)))
		empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
	if (d)
		closedir(d);
	return empty;
}

static int remove_entry(const char *path, const struct stat *st, void *userdata)
{
	(void)st, (void)userdata;
	return remove(path) < 0 ? -errno : 0;
}

int remove_tree(const char *path)
{
	return tree_walk(path, TREE_DEPTH, remove_entry, NULL);
}

int lock_path(const char *path, mode_t mode, char *why, size_t why_size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		int r = -errno;
		snprintf(why, why_size, "locking %s: %s", path, strerror(-r));
		if (fd >= 0)
			close(fd);
		return r;
	}
	return fd;
}
