/* SPDX-License-Identifier: Apache-2.0 */
#include "init/base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads fd to its end; buf grows from cap, and never past max + 1 bytes. */
static int read_all(int fd, size_t cap, size_t max, char **ret, size_t *ret_len)
{
	size_t len = 0;
	char *buf = malloc(cap + 1), *p;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			if (cap > max) {
				free(buf);
				return -EFBIG;
			}
			p = cap <= SIZE_MAX / 2 - 1 ? realloc(buf, 2 * cap + 1) : NULL;
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int r = -errno;
			free(buf);
			return r;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		free(buf);
		return -EFBIG;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

int read_full_fd(int fd, size_t max, char **ret, size_t *ret_len)
{
	size_t cap = 65536;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	/* Too big by its size: refused before a byte is read (a sparse 4 GiB file reads slowly). */
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max)
		return -EFBIG;
	/* Regular files in one read (+1 so EOF is seen without growing). */
	if (S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1;
	return read_all(fd, cap, max, ret, ret_len);
}

int read_full_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	int fd, r;

	if (strcmp(path, "-") == 0)
		return read_full_fd(STDIN_FILENO, max, ret, ret_len);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	r = read_full_fd(fd, max, ret, ret_len);
	close(fd);
	return r;
}

/* write(), or pwrite() at offset when it is not negative, until all of buf is written. */
static int write_loop(int fd, const void *buf, size_t len, off_t offset)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = offset < 0 ? write(fd, p, len) : pwrite(fd, p, len, offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
		offset += offset < 0 ? 0 : n;
	}
	return 0;
}

int write_full(int fd, const void *buf, size_t len)
{
	return write_loop(fd, buf, len, -1);
}

int pwrite_full(int fd, const void *buf, size_t len, off_t offset)
{
	return offset < 0 ? -EINVAL : write_loop(fd, buf, len, offset);
}

ssize_t pread_full(int fd, void *buf, size_t len, off_t offset)
{
	char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, p + done, len - done, offset + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Writes text (and a newline) to fd, then closes it. */
static int write_text(int fd, const char *text, unsigned flags)
{
	int r = write_full(fd, text, strlen(text));

	if (r == 0 && flags & WRITE_NEWLINE)
		r = write_full(fd, "\n", 1);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

/* Into a temporary file beside path, renamed over it: readers see the old file or the new one. */
static int write_atomic(const char *path, const char *text, unsigned flags)
{
	size_t len = strlen(path);
	char *tmp = malloc(len + sizeof(".XXXXXX"));
	int fd, r;

	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".XXXXXX", sizeof(".XXXXXX"));
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		free(tmp);
		return r;
	}
	r = fchmod(fd, 0644) < 0 ? -errno : 0;
	if (r == 0)
		r = write_text(fd, text, flags);
	else
		close(fd);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		(void)unlink(tmp);
	free(tmp);
	return r;
}

int write_string_file(const char *path, const char *text, unsigned flags)
{
	int fd;

	if (flags & WRITE_ATOMIC)
		return write_atomic(path, text, flags);
	if (flags & WRITE_REPLACE)
		(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (flags & WRITE_REPLACE ? O_EXCL : O_TRUNC),
	          0644);
	if (fd < 0)
		return -errno;
	return write_text(fd, text, flags);
}
