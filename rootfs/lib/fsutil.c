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

#include "init/base/fileio.h"
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

/* Where copy_file_range() cannot copy but read() and write() can. */
static bool range_unsupported(int err)
{
	/* EINVAL: a pipe or special file; EXDEV: across file systems it cannot span. */
	return err == EINVAL || err == EXDEV || err == ENOSYS || err == EOPNOTSUPP || err == EBADF;
}

/* The rest of in through one COPY_CHUNK buffer; *done counts on from what was copied. */
static int copy_buffered(int in, int out, uint64_t max, uint64_t *done)
{
	uint8_t *buf = malloc(COPY_CHUNK);
	int r = buf ? 0 : -ENOMEM;
	ssize_t n;

	while (r == 0 && (n = read(in, buf, COPY_CHUNK)) != 0) {
		if (n < 0) {
			r = errno == EINTR ? 0 : -errno;
			continue;
		}
		if ((uint64_t)n > max - *done)
			r = -EFBIG;
		else if ((r = write_full(out, buf, (size_t)n)) == 0)
			*done += (uint64_t)n;
	}
	free(buf);
	return r;
}

int copy_fd(int in, int out, uint64_t max, uint64_t *copied)
{
	uint64_t done = 0;
	int r = 0;

	for (;;) {
		/* One byte past max is asked for, so that a file still growing shows. */
		size_t want = max - done < COPY_CHUNK ? (size_t)(max - done) + 1 : COPY_CHUNK;
		ssize_t n = copy_file_range(in, NULL, out, NULL, want, 0);

		if (n < 0 && errno == EINTR)
			continue;
		/*
		 * 0 is the end of the file, or a file whose size the kernel does not
		 * know (procfs, sysfs: copy_file_range() reads nothing there): read()
		 * tells them apart.
		 */
		if (n == 0 || (n < 0 && range_unsupported(errno))) {
			r = copy_buffered(in, out, max, &done);
			break;
		}
		if (n < 0) {
			r = -errno;
			break;
		}
		if ((uint64_t)n > max - done) {
			r = -EFBIG;
			break;
		}
		done += (uint64_t)n;
	}
	if (copied)
		*copied = done;
	return r;
}

int copy_file(const char *from, const char *to, mode_t mode)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out, r;

	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		r = -errno;
		close(in);
		return r;
	}
	r = copy_fd(in, out, UINT64_MAX, NULL);
	if (r == 0 && fchmod(out, mode) < 0)
		r = -errno;
	close(in);
	if (close(out) < 0 && r == 0)
		r = -errno;
	return r;
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
