/* SPDX-License-Identifier: Apache-2.0 */
#include "init/base/cmdfiles.h"
#include "init/base/fileio.h"
#include "init/base/why.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const char *file_kind(mode_t mode)
{
	return S_ISDIR(mode)    ? "a directory"
	       : S_ISCHR(mode)  ? "a character device"
	       : S_ISBLK(mode)  ? "a block device"
	       : S_ISFIFO(mode) ? "a FIFO"
	       : S_ISSOCK(mode) ? "a socket"
	       : S_ISLNK(mode)  ? "a symlink"
	                        : "not a regular file";
}

int open_input_file(const char *path, uint64_t max, bool follow, struct stat *st, char *why,
                    size_t why_size)
{
	/* O_NONBLOCK: a FIFO opens at once (and is refused below) instead of waiting for a writer.
	 */
	int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
	int fd = open(path, flags), r;

	if (fd < 0) {
		r = -errno;
		if (r == -ELOOP)
			return why_set(why, why_size, -EINVAL, "%s",
			               follow ? "a symlink loop"
			                      : "a symlink (follow: true copies its target)");
		return why_set(why, why_size, r, "%s", strerror(-r));
	}
	if (fstat(fd, st) < 0) {
		r = -errno;
		close(fd);
		return why_set(why, why_size, r, "%s", strerror(-r));
	}
	/* /dev/null is how users say "an empty file" (sev-snp-measure's --initrd /dev/null). */
	if (S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 3))
		return fd;
	if (!S_ISREG(st->st_mode) || (uint64_t)st->st_size > max) {
		close(fd);
		if (S_ISREG(st->st_mode))
			return why_set(why, why_size, -EINVAL,
			               "%llu bytes, more than the %llu allowed",
			               (unsigned long long)st->st_size, (unsigned long long)max);
		return why_set(why, why_size, -EINVAL, "%s, not a regular file",
		               file_kind(st->st_mode));
	}
	return fd;
}

/* The shell's name for a stream it opened for us: "-", /dev/fd/N, /proc/self/fd/N. */
static bool names_a_stream(const char *path)
{
	return strcmp(path, "-") == 0 || strncmp(path, "/dev/fd/", 8) == 0 ||
	       strncmp(path, "/proc/self/fd/", 14) == 0;
}

/* A stream the shell gave: a pipe or a regular file, read to max. */
static int read_stream(const char *path, size_t max, char **ret, size_t *ret_len, char *why,
                       size_t why_size)
{
	bool is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC), r;
	struct stat st;

	if (fd < 0)
		return why_set(why, why_size, -errno, "%s", strerror(errno));
	if (fstat(fd, &st) < 0)
		r = why_set(why, why_size, -errno, "%s", strerror(errno));
	else if (!S_ISFIFO(st.st_mode) && !S_ISREG(st.st_mode))
		r = why_set(why, why_size, -EINVAL, "%s, neither a pipe nor a regular file",
		            file_kind(st.st_mode));
	else if ((r = read_full_fd(fd, max, ret, ret_len)) == -EFBIG)
		why_set(why, why_size, r, "more than the %zu bytes allowed", max);
	else if (r < 0)
		why_set(why, why_size, r, "%s", strerror(-r));
	if (!is_stdin)
		close(fd);
	return r;
}

int read_input_file(const char *path, size_t max, char **ret, size_t *ret_len, char *why,
                    size_t why_size)
{
	struct stat st;
	int fd, r;

	if (names_a_stream(path))
		return read_stream(path, max, ret, ret_len, why, why_size);
	fd = open_input_file(path, max, true, &st, why, why_size);
	if (fd < 0)
		return fd;
	r = read_full_fd(fd, max, ret, ret_len);
	close(fd);
	if (r == -EFBIG) /* it grew while being read */
		return why_set(why, why_size, r, "more than the %zu bytes allowed", max);
	return r < 0 ? why_set(why, why_size, r, "%s", strerror(-r)) : 0;
}

int input_text_check(const char *buf, size_t len, char *why, size_t why_size)
{
	const char *nul = memchr(buf, '\0', len);

	if (nul)
		return why_set(why, why_size, -EINVAL, "a NUL byte at offset %zu",
		               (size_t)(nul - buf));
	return 0;
}

/* The directory part of path ("." when it has none) into buf. */
static int dir_of(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t len = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);

	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(buf, !slash ? "." : slash == path ? "/" : path, len);
	buf[len] = '\0';
	return 0;
}

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int check_output_path(const char *path, char *why, size_t why_size)
{
	char dir[PATH_MAX];
	struct stat st;

	if (!*path || !*base_of(path) || strcmp(base_of(path), ".") == 0 ||
	    strcmp(base_of(path), "..") == 0)
		return why_set(why, why_size, -EINVAL, "not a file name");
	if (lstat(path, &st) == 0) {
		if (S_ISREG(st.st_mode))
			return 0;
		return why_set(why, why_size, -EINVAL, "%s, which an output never replaces",
		               file_kind(st.st_mode));
	}
	if (errno != ENOENT)
		return why_set(why, why_size, -errno, "%s", strerror(errno));
	if (dir_of(path, dir, sizeof(dir)) < 0)
		return why_set(why, why_size, -ENAMETOOLONG, "%s", strerror(ENAMETOOLONG));
	if (stat(dir, &st) < 0)
		return why_set(why, why_size, -ENOENT, "its directory %s: %s", dir,
		               strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return why_set(why, why_size, -ENOTDIR, "%s is not a directory", dir);
	return 0;
}

/* f's entry for path: where it is (real directory and name) and, when it exists, its inode. */
static int cmd_file_fill(struct cmd_file *e, const char *option, const char *path, char *why,
                         size_t why_size)
{
	char dir[PATH_MAX], real[PATH_MAX];
	struct stat st;

	if (dir_of(path, dir, sizeof(dir)) < 0)
		return why_set(why, why_size, -ENAMETOOLONG, "%s", strerror(ENAMETOOLONG));
	if (!realpath(dir, real))
		return why_set(why, why_size, -errno, "its directory %s: %s", dir, strerror(errno));
	if (asprintf(&e->where, "%s/%s", strcmp(real, "/") ? real : "", base_of(path)) < 0)
		return why_set(why, why_size, -ENOMEM, "%s", strerror(ENOMEM));
	e->option = option;
	e->exists = stat(path, &st) == 0;
	e->dev = e->exists ? st.st_dev : 0;
	e->ino = e->exists ? st.st_ino : 0;
	return 0;
}

static bool same_file(const struct cmd_file *a, const struct cmd_file *b)
{
	return strcmp(a->where, b->where) == 0 ||
	       (a->exists && b->exists && a->dev == b->dev && a->ino == b->ino);
}

/* Adds path; refused when it is the same file as an output already there (or any, for outputs). */
static int cmd_files_add(struct cmd_files *f, const char *option, const char *path, bool output,
                         char *why, size_t why_size)
{
	struct cmd_file *e;
	int r;

	if (f->count == CMD_FILES_MAX)
		return why_set(why, why_size, -E2BIG, "more than %d files", CMD_FILES_MAX);
	e = &f->files[f->count];
	*e = (struct cmd_file){0};
	if ((r = cmd_file_fill(e, option, path, why, why_size)) < 0)
		return r;
	e->output = output;
	for (size_t i = 0; i < f->count; i++) {
		if ((output || f->files[i].output) && same_file(&f->files[i], e)) {
			free(e->where);
			return why_set(why, why_size, -EINVAL, "the same file as %s",
			               f->files[i].option);
		}
	}
	f->count++;
	return 0;
}

int cmd_files_input(struct cmd_files *f, const char *option, const char *path, char *why,
                    size_t why_size)
{
	if (!path || names_a_stream(path))
		return 0;
	return cmd_files_add(f, option, path, false, why, why_size);
}

int cmd_files_output(struct cmd_files *f, const char *option, const char *path, char *why,
                     size_t why_size)
{
	int r;

	if (!path || strcmp(path, "-") == 0)
		return 0;
	if ((r = check_output_path(path, why, why_size)) < 0)
		return r;
	return cmd_files_add(f, option, path, true, why, why_size);
}

void cmd_files_free(struct cmd_files *f)
{
	for (size_t i = 0; i < f->count; i++)
		free(f->files[i].where);
	f->count = 0;
}

/* A hidden name beside path: DIR/.NAME.XXXXXX, for mkostemp. */
static char *hidden_beside(const char *path)
{
	const char *base = base_of(path);
	char *tmp;

	if (asprintf(&tmp, "%.*s.%s.XXXXXX", (int)(base - path), path, base) < 0)
		return NULL;
	return tmp;
}

int output_set_open(struct output_set *s, const char *path)
{
	char *tmp;
	int fd;

	if (s->count == OUTPUT_SET_MAX)
		return -E2BIG;
	if (!(tmp = hidden_beside(path)))
		return -ENOMEM;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0 || fchmod(fd, 0644) < 0) {
		int r = -errno;
		if (fd >= 0) {
			close(fd);
			(void)unlink(tmp);
		}
		free(tmp);
		return r;
	}
	s->files[s->count].path = path;
	s->files[s->count].tmp = tmp;
	s->count++;
	return fd;
}

int output_set_add(struct output_set *s, const char *path, const void *buf, size_t len)
{
	int fd = output_set_open(s, path), r;

	if (fd < 0)
		return fd;
	r = write_full(fd, buf, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int output_set_commit(struct output_set *s)
{
	int r = 0;

	for (size_t i = 0; i < s->count; i++) {
		if (rename(s->files[i].tmp, s->files[i].path) < 0 && r == 0)
			r = -errno;
	}
	output_set_abandon(s);
	return r;
}

void output_set_abandon(struct output_set *s)
{
	for (size_t i = 0; i < s->count; i++) {
		(void)unlink(s->files[i].tmp); /* ENOENT once renamed */
		free(s->files[i].tmp);
	}
	s->count = 0;
}
