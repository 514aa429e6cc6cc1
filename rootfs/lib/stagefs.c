/* SPDX-License-Identifier: Apache-2.0 */
#include "init/base/fileio.h"
#include "rootfs/lib/stagefs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/lib/fsutil.h"

bool stage_path_ok(const char *path)
{
	if (path[0] != '/' || !path[1])
		return false;
	for (const char *p = path; *p;) {
		const char *e = strchr(p + 1, '/');
		size_t len = e ? (size_t)(e - p - 1) : strlen(p + 1);
		if (len == 0 || (len == 1 && p[1] == '.') ||
		    (len == 2 && p[1] == '.' && p[2] == '.'))
			return false;
		if (!e)
			break;
		p = e;
	}
	return true;
}

static int walk(int rootfd, const char *path, bool create, stagefs_dirmode_fn dirmode,
                void *userdata, const char **base)
{
	char buf[PATH_MAX];
	int fd;

	if (!stage_path_ok(path) || strlen(path) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, path, strlen(path) + 1);
	fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char *comp = buf + 1;
	for (char *slash; (slash = strchr(comp, '/')); comp = slash + 1) {
		*slash = '\0';
		int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			mode_t m = dirmode ? dirmode(buf, userdata) : 0755;
			if (mkdirat(fd, comp, 0700) < 0 && errno != EEXIST) {
				int r = -errno;
				close(fd);
				return r;
			}
			next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (next >= 0 && fchmod(next, m & 07777) < 0) {
				int r = -errno;
				close(next);
				close(fd);
				return r;
			}
		}
		if (next < 0) {
			/* ELOOP/ENOTDIR: a symlink or a file where a directory must be. */
			int r = errno == ELOOP ? -ENOTDIR : -errno;
			close(fd);
			return r;
		}
		close(fd);
		fd = next;
		*slash = '/';
	}
	*base = path + (comp - buf);
	return fd;
}

int stagefs_parent(int rootfd, const char *path, stagefs_dirmode_fn dirmode, void *userdata,
                   const char **base)
{
	return walk(rootfd, path, true, dirmode, userdata, base);
}

int stagefs_mkdir(int rootfd, const char *path, mode_t mode, stagefs_dirmode_fn dirmode,
                  void *userdata)
{
	const char *base;
	int pfd = stagefs_parent(rootfd, path, dirmode, userdata, &base), fd, r = 0;

	if (pfd < 0)
		return pfd;
	if (mkdirat(pfd, base, 0700) < 0 && errno != EEXIST)
		r = -errno;
	if (r == 0) {
		fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			r = errno == ELOOP ? -EEXIST : -errno;
		else if (fchmod(fd, mode & 07777) < 0)
			r = -errno;
		if (fd >= 0)
			close(fd);
	}
	close(pfd);
	return r;
}

int stagefs_create(int rootfd, const char *path, stagefs_dirmode_fn dirmode, void *userdata)
{
	const char *base;
	int pfd = stagefs_parent(rootfd, path, dirmode, userdata, &base), fd;

	if (pfd < 0)
		return pfd;
	fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		fd = -errno;
	close(pfd);
	return fd;
}

int stagefs_symlink(int rootfd, const char *path, const char *target, stagefs_dirmode_fn dirmode,
                    void *userdata)
{
	const char *base;
	int pfd = stagefs_parent(rootfd, path, dirmode, userdata, &base), r = 0;

	if (pfd < 0)
		return pfd;
	if (symlinkat(target, pfd, base) < 0) {
		r = -errno;
		if (r == -EEXIST) {
			char old[PATH_MAX];
			ssize_t n = readlinkat(pfd, base, old, sizeof(old) - 1);
			if (n >= 0 && (size_t)n == strlen(target) &&
			    memcmp(old, target, (size_t)n) == 0)
				r = 0;
		}
	}
	close(pfd);
	return r;
}

int stagefs_link(int rootfd, const char *path, const char *target, stagefs_dirmode_fn dirmode,
                 void *userdata)
{
	const char *base, *tbase;
	int pfd, tfd, r = 0;

	tfd = walk(rootfd, target, false, NULL, NULL, &tbase);
	if (tfd < 0)
		return tfd;
	pfd = stagefs_parent(rootfd, path, dirmode, userdata, &base);
	if (pfd < 0) {
		close(tfd);
		return pfd;
	}
	if (linkat(tfd, tbase, pfd, base, 0) < 0)
		r = -errno;
	close(pfd);
	close(tfd);
	return r;
}

static int finish(int fd, int r, mode_t mode)
{
	if (r == 0 && fchmod(fd, mode & 07777) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int stagefs_write(int rootfd, const char *path, const void *buf, size_t len, mode_t mode)
{
	int fd = stagefs_create(rootfd, path, NULL, NULL);

	if (fd < 0)
		return fd;
	return finish(fd, write_full(fd, buf, len), mode);
}

int stagefs_copy_in(int rootfd, const char *path, int in, uint64_t max, mode_t mode)
{
	int fd = stagefs_create(rootfd, path, NULL, NULL);

	if (fd < 0)
		return fd;
	/* The size was checked before: a file still growing is not copied without end. */
	return finish(fd, copy_fd(in, fd, max, NULL), mode);
}

int stagefs_lstat(int rootfd, const char *path, struct stat *st)
{
	const char *base;
	int pfd, r = 0;

	if (strcmp(path, "/") == 0)
		return fstatat(rootfd, ".", st, 0) < 0 ? -errno : 0;
	pfd = walk(rootfd, path, false, NULL, NULL, &base);
	if (pfd == -ENOENT || pfd == -ENOTDIR)
		return -ENOENT;
	if (pfd < 0)
		return pfd;
	if (fstatat(pfd, base, st, AT_SYMLINK_NOFOLLOW) < 0)
		r = -errno;
	close(pfd);
	return r;
}
